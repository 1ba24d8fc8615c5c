"""Seed the placement rules' settings: parameters and legal texts (a frozen copy of rules.DEFAULTS)."""

from django.db import migrations

RULES = [
    {
        "code": "religion",
        "title_id": "Agama anak dan lembaga",
        "title_en": "The child's religion and the institution's",
        "parameters": {},
        "legal_basis_id": "UU 23/2002 Pasal 37 ayat (3): dalam hal lembaga yang mengasuh berlandaskan agama, anak yang diasuh harus yang seagama dengan agama yang menjadi landasan lembaga tersebut. Ayat (4): bila lembaga tidak berlandaskan agama, pengasuhan wajib memperhatikan agama yang dianut anak.",
        "legal_basis_en": "Law 23/2002 Article 37(3): where the caring institution is religion-based, the child must share the religion the institution is founded on. Article 37(4): where it is not, the care must respect the child's religion.",
    },
    {
        "code": "registration",
        "title_id": "Tanda daftar LKS / NSP pesantren berlaku",
        "title_en": "Valid LKS registration / pesantren NSP",
        "parameters": {"exempt_kinds": ["foster_family", "kinship_carer"]},
        "legal_basis_id": "Permensos 5/2024 tentang Lembaga Kesejahteraan Sosial: setiap LKS wajib memiliki tanda daftar yang berlaku. PMA 30/2020: pesantren wajib memiliki izin terdaftar (Piagam Statistik Pesantren dengan NSP).",
        "legal_basis_en": "Social Affairs Regulation 5/2024 on social welfare institutions: every LKS must hold a valid registration (tanda daftar). Religious Affairs Regulation 30/2020: every pesantren must be registered (Piagam Statistik Pesantren with an NSP).",
    },
    {
        "code": "suspended",
        "title_id": "Lembaga tidak dibekukan",
        "title_en": "Institution not suspended",
        "parameters": {},
        "legal_basis_id": "Permensos 5/2024 (pembinaan dan pengawasan LKS); SNPA (Permensos 30/HUK/2011): Dinas Sosial berwenang atas keputusan penempatan anak.",
        "legal_basis_en": "Social Affairs Regulation 5/2024 (supervision of LKS); SNPA (Social Affairs Regulation 30/HUK/2011): Dinas Sosial decides on placements.",
    },
    {
        "code": "capacity",
        "title_id": "Kapasitas lembaga",
        "title_en": "Room at the institution",
        "parameters": {"capacity_margin": 0},
        "legal_basis_id": "SNPA (Permensos 30/HUK/2011): penerimaan anak sesuai kapasitas yang terdaftar agar standar pengasuhan terpenuhi.",
        "legal_basis_en": "SNPA (Social Affairs Regulation 30/HUK/2011): children are admitted within the registered capacity so that the care standards can be met.",
    },
    {
        "code": "sex",
        "title_id": "Jenis kelamin yang diterima",
        "title_en": "Sexes the institution takes",
        "parameters": {},
        "legal_basis_id": "SNPA (Permensos 30/HUK/2011); PMA 30/2020: lembaga (pesantren putra/putri) menerima anak sesuai kriteria yang terdaftar.",
        "legal_basis_en": "SNPA (Social Affairs Regulation 30/HUK/2011); Religious Affairs Regulation 30/2020: an institution (a boys' or girls' pesantren) takes children by its registered criteria.",
    },
    {
        "code": "age",
        "title_id": "Rentang usia lembaga",
        "title_en": "The institution's age range",
        "parameters": {},
        "legal_basis_id": "SNPA (Permensos 30/HUK/2011): lembaga menerima anak sesuai rentang usia yang terdaftar.",
        "legal_basis_en": "SNPA (Social Affairs Regulation 30/HUK/2011): an institution takes children within its registered age range.",
    },
    {
        "code": "assessment",
        "title_id": "Asesmen selesai sebelum keputusan",
        "title_en": "Assessments completed before the decision",
        "parameters": {"instruments": ["biopsychosocial-initial", "safety-risk"]},
        "legal_basis_id": "SNPA (Permensos 30/HUK/2011): keputusan penempatan didasarkan pada asesmen awal bersama anak dan keluarga; Permen PPPA 2/2022.",
        "legal_basis_en": "SNPA (Social Affairs Regulation 30/HUK/2011): a placement decision rests on an initial assessment made with the child and family; PPPA Ministerial Regulation 2/2022.",
    },
    {
        "code": "last_resort",
        "title_id": "Pengasuhan berbasis keluarga telah dipertimbangkan",
        "title_en": "Family-based care considered first",
        "parameters": {
            "residential_kinds": ["lksa", "pesantren", "government_panti"],
            "min_reason_length": 15,
        },
        "legal_basis_id": "UU 35/2014 Pasal 14: pemisahan anak dari orang tua merupakan pertimbangan terakhir; PP 44/2017 tentang Pelaksanaan Pengasuhan Anak; SNPA: pengasuhan dalam lembaga adalah upaya terakhir setelah orang tua, kerabat dan orang tua asuh.",
        "legal_basis_en": "Law 35/2014 Article 14: separating a child from the parents is the last resort; Government Regulation 44/2017 on child care; SNPA: residential care comes only after parents, relatives and foster carers.",
    },
    {
        "code": "siblings",
        "title_id": "Saudara kandung tidak dipisahkan",
        "title_en": "Siblings kept together",
        "parameters": {},
        "legal_basis_id": "SNPA (Permensos 30/HUK/2011) dan prinsip kepentingan terbaik anak: saudara kandung diasuh bersama kecuali ada alasan yang dicatat.",
        "legal_basis_en": "SNPA (Social Affairs Regulation 30/HUK/2011) and the child's best interest: siblings are cared for together unless a recorded reason says otherwise.",
    },
    {
        "code": "school_distance",
        "title_id": "Jarak ke sekolah",
        "title_en": "Distance to school",
        "parameters": {"max_km": 10},
        "legal_basis_id": "UU 35/2014 Pasal 9: setiap anak berhak memperoleh pendidikan; SNPA: kesinambungan pendidikan anak selama pengasuhan.",
        "legal_basis_en": "Law 35/2014 Article 9: every child has the right to education; SNPA: continuity of the child's schooling while in care.",
    },
    {
        "code": "contact_plan",
        "title_id": "Rencana kontak dengan orang tua",
        "title_en": "Contact plan with the parents",
        "parameters": {},
        "legal_basis_id": "UU 35/2014 Pasal 14 ayat (2): anak yang dipisahkan tetap berhak bertemu dan berhubungan pribadi secara tetap dengan kedua orang tuanya; pembatasan hanya demi keselamatan anak atau berdasarkan putusan pengadilan.",
        "legal_basis_en": "Law 35/2014 Article 14(2): a separated child keeps the right to meet and stay in personal contact with both parents; restrictions only for the child's safety or by court order.",
    },
]


def seed(apps, schema_editor):
    RuleSetting = apps.get_model("placement", "RuleSetting")
    for row in RULES:
        RuleSetting.objects.get_or_create(code=row["code"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("placement", "0002_rules_and_decisions")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
