from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kawal.web"
    label = "web"

    def ready(self) -> None:
        from kawal.web.context_processors import register_menu
        from kawal.web.home import register_cards

        register_menu()
        register_cards()
