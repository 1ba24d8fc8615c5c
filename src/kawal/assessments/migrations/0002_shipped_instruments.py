"""The two instruments Kawal Anak ships with, written for this project.

Neither is a copyrighted or standardised psychometric instrument: the wording
is original, Indonesian first with English beside it. System administrators
edit them in the configuration console by copying a new version.
"""

from decimal import Decimal

from django.db import migrations
from django.utils import timezone

AGREEMENT = {
    "code": "kesesuaian",
    "name_id": "Seberapa sesuai dengan keadaan anak",
    "name_en": "How true of the child",
    "options": [
        (0, "Tidak sesuai", "Not true"),
        (1, "Sedikit sesuai", "A little true"),
        (2, "Cukup sesuai", "Fairly true"),
        (3, "Sangat sesuai", "Very true"),
    ],
}

YES_NO = {
    "code": "ya-sebagian-tidak",
    "name_id": "Tidak / sebagian / ya",
    "name_en": "No / partly / yes",
    "options": [
        (0, "Tidak", "No"),
        (1, "Sebagian / kadang-kadang", "Partly / sometimes"),
        (2, "Ya", "Yes"),
    ],
}

# Items: (code, Indonesian, English, reverse-scored, required); a section
# whose "scale" is None takes written answers.
BIOPSYCHOSOCIAL = {
    "code": "biopsychosocial-initial",
    "name_id": "Asesmen biopsikososial awal",
    "name_en": "Initial biopsychosocial assessment",
    "purpose_id": (
        "Asesmen awal kebutuhan anak dari sisi fisik, psikologis, sosial dan pendidikan, "
        "dibuat oleh psikolog pada tahap asesmen untuk menyusun rencana intervensi. Skor "
        "lebih tinggi berarti kebutuhan pendampingan lebih besar. Disusun untuk Kawal Anak, "
        "bukan alat tes psikologi baku, dan tidak menggantikan penilaian profesional."
    ),
    "purpose_en": (
        "An initial assessment of the child's physical, psychological, social and education "
        "needs, made by a psychologist in the assessment stage to build the intervention "
        "plan. A higher score means a greater need for support. Written for Kawal Anak; not a "
        "standardised psychological test, and no substitute for professional judgement."
    ),
    "roles": ["psychologist"],
    "answers_class": "clinical",
    "min_answered_percent": 80,
    "scales": [AGREEMENT],
    "subscales": [
        ("bio", "Fisik dan kesehatan", "Physical health"),
        ("psy", "Psikologis", "Psychological"),
        ("soc", "Keluarga dan sosial", "Family and social"),
        ("edu", "Pendidikan", "Education"),
    ],
    "sections": [
        {
            "title_id": "A. Kesehatan fisik",
            "title_en": "A. Physical health",
            "intro_id": "Dari pengamatan, pemeriksaan kesehatan awal dan cerita anak.",
            "intro_en": "From observation, the first health check and what the child says.",
            "scale": "kesesuaian",
            "subscale": "bio",
            "items": [
                (
                    "bio-gizi",
                    "Anak tampak kurang gizi atau berat badannya rendah untuk usianya.",
                    "The child looks undernourished or underweight for their age.",
                    False,
                    True,
                ),
                (
                    "bio-luka",
                    "Anak mempunyai luka, sakit, atau keluhan kulit yang belum diobati.",
                    "The child has wounds, illness or skin complaints that have not been treated.",
                    False,
                    True,
                ),
                (
                    "bio-tidur",
                    "Dalam seminggu terakhir anak tidur cukup dan nyenyak.",
                    "In the past week the child has slept enough and soundly.",
                    True,
                    True,
                ),
                (
                    "bio-lelah",
                    "Anak tampak sangat lelah karena bekerja atau berada di jalan sampai larut "
                    "malam.",
                    "The child looks exhausted from working or being on the street late at night.",
                    False,
                    True,
                ),
            ],
        },
        {
            "title_id": "B. Keadaan psikologis",
            "title_en": "B. Psychological wellbeing",
            "intro_id": "",
            "intro_en": "",
            "scale": "kesesuaian",
            "subscale": "psy",
            "items": [
                (
                    "psy-cemas",
                    "Anak sering tampak cemas, takut, atau mudah terkejut.",
                    "The child often seems anxious, afraid or easily startled.",
                    False,
                    True,
                ),
                (
                    "psy-cerita",
                    "Anak dapat menceritakan perasaannya kepada orang dewasa yang ia percaya.",
                    "The child can talk about their feelings with an adult they trust.",
                    True,
                    True,
                ),
                (
                    "psy-marah",
                    "Anak menunjukkan marah atau perilaku agresif yang sulit diredakan.",
                    "The child shows anger or aggression that is hard to calm.",
                    False,
                    True,
                ),
                (
                    "psy-menarik-diri",
                    "Anak menarik diri dan jarang berbicara dengan orang lain.",
                    "The child withdraws and rarely talks to others.",
                    False,
                    True,
                ),
                (
                    "psy-fokus",
                    "Anak dapat memusatkan perhatian pada kegiatan sederhana selama beberapa "
                    "menit.",
                    "The child can keep their attention on a simple activity for a few minutes.",
                    True,
                    True,
                ),
                (
                    "psy-harapan",
                    "Anak mengatakan dirinya tidak berharga atau tidak punya harapan.",
                    "The child says they are worthless or have no hope.",
                    False,
                    True,
                ),
            ],
        },
        {
            "title_id": "C. Keluarga dan lingkungan sosial",
            "title_en": "C. Family and social surroundings",
            "intro_id": "",
            "intro_en": "",
            "scale": "kesesuaian",
            "subscale": "soc",
            "items": [
                (
                    "soc-pengasuh",
                    "Anak mempunyai setidaknya satu orang dewasa di keluarga yang peduli dan "
                    "dapat diandalkan.",
                    "The child has at least one caring, dependable adult in the family.",
                    True,
                    True,
                ),
                (
                    "soc-disuruh",
                    "Anak disuruh atau dipaksa bekerja atau meminta-minta oleh orang serumah.",
                    "Someone in the household tells or forces the child to work or beg.",
                    False,
                    True,
                ),
                (
                    "soc-kekerasan",
                    "Anak mengalami kekerasan fisik atau sering dibentak di rumah.",
                    "The child is hit or often shouted at at home.",
                    False,
                    True,
                ),
                (
                    "soc-teman",
                    "Anak mempunyai teman sebaya yang memberi pengaruh baik.",
                    "The child has friends of their own age who are a good influence.",
                    True,
                    True,
                ),
            ],
        },
        {
            "title_id": "D. Pendidikan",
            "title_en": "D. Education",
            "intro_id": "",
            "intro_en": "",
            "scale": "kesesuaian",
            "subscale": "edu",
            "items": [
                (
                    "edu-bolos",
                    "Anak tidak bersekolah atau sering membolos dalam tiga bulan terakhir.",
                    "The child has not been at school, or often missed school, in the last "
                    "three months.",
                    False,
                    True,
                ),
                (
                    "edu-ingin",
                    "Anak menyatakan ingin belajar atau kembali bersekolah.",
                    "The child says they want to learn or go back to school.",
                    True,
                    True,
                ),
                (
                    "edu-tertinggal",
                    "Anak tertinggal jauh dalam membaca, menulis atau berhitung untuk usianya.",
                    "The child is far behind in reading, writing or arithmetic for their age.",
                    False,
                    False,
                ),
            ],
        },
        {
            "title_id": "E. Ringkasan dan rekomendasi",
            "title_en": "E. Summary and recommendation",
            "intro_id": "Jawaban tertulis; tidak dihitung dalam skor.",
            "intro_en": "Written answers; not part of the score.",
            "scale": None,
            "subscale": None,
            "items": [
                (
                    "riwayat",
                    "Ringkasan riwayat anak dan keluarga.",
                    "Summary of the child's and family's history.",
                    False,
                    False,
                ),
                (
                    "kekuatan",
                    "Kekuatan anak dan keluarga yang dapat menjadi modal pemulihan.",
                    "Strengths of the child and family to build recovery on.",
                    False,
                    False,
                ),
                (
                    "rekomendasi",
                    "Rekomendasi layanan dan intervensi.",
                    "Recommended services and interventions.",
                    False,
                    True,
                ),
            ],
        },
    ],
    # (sub-scale or "" for the total, code, from score, labels, meanings, needs attention)
    "bands": [
        (
            "",
            "low",
            0,
            "Kebutuhan ringan",
            "Low need",
            "Pendampingan rutin dan pemantauan berkala.",
            "Routine support and regular monitoring.",
            False,
        ),
        (
            "",
            "medium",
            17,
            "Kebutuhan sedang",
            "Moderate need",
            "Perlu rencana intervensi yang terarah pada bagian dengan skor tinggi.",
            "Needs an intervention plan aimed at the parts that score high.",
            False,
        ),
        (
            "",
            "high",
            34,
            "Kebutuhan tinggi",
            "High need",
            "Perlu penanganan intensif dan segera; bahas dalam rapat tim kasus.",
            "Needs intensive, prompt care; discuss it in the case team meeting.",
            True,
        ),
    ]
    + [
        band
        for subscale in ("bio", "psy", "soc", "edu")
        for band in (
            (subscale, "low", 0, "Ringan", "Low", "", "", False),
            (subscale, "medium", 1, "Sedang", "Moderate", "", "", False),
            (subscale, "high", 2, "Berat", "High", "", "", True),
        )
    ],
}

SAFETY = {
    "code": "safety-risk",
    "name_id": "Asesmen keselamatan dan risiko",
    "name_en": "Safety and risk assessment",
    "purpose_id": (
        "Menilai apakah rumah aman bagi anak dan seberapa besar risiko anak dikembalikan ke "
        "jalan: keselamatan di rumah, tekanan untuk kembali bekerja di jalan, kerja sama orang "
        "tua, dan keinginan anak sendiri. Diisi ulang secara berkala selama anak dalam "
        "penanganan dan sebelum anak pulang. Skor lebih tinggi berarti risiko lebih besar. "
        "Disusun untuk Kawal Anak."
    ),
    "purpose_en": (
        "Judges whether home is safe for the child and how likely the child is to be sent back "
        "to the street: safety at home, pressure to return to street work, the parents' "
        "cooperation, and the child's own wishes. Repeated regularly while the child is in "
        "care and before the child goes home. A higher score means a higher risk. Written for "
        "Kawal Anak."
    ),
    "roles": ["psychologist", "case_manager", "social_worker"],
    "answers_class": "progress",
    # Three of each four-item part may be left open ("not known"), and it still scores.
    "min_answered_percent": 75,
    "scales": [YES_NO],
    "subscales": [
        ("home", "Keselamatan di rumah", "Safety at home"),
        ("street", "Risiko kembali ke jalan", "Risk of going back to the street"),
        ("parents", "Kerja sama orang tua", "Parents' cooperation"),
        ("wishes", "Keinginan anak", "The child's wishes"),
    ],
    "sections": [
        {
            "title_id": "A. Keselamatan di rumah",
            "title_en": "A. Safety at home",
            "intro_id": "Jika tidak diketahui, biarkan kosong.",
            "intro_en": "If you do not know, leave it open.",
            "scale": "ya-sebagian-tidak",
            "subscale": "home",
            "items": [
                (
                    "home-ancaman",
                    "Ada orang di rumah yang pernah menyakiti atau mengancam anak.",
                    "Someone at home has hurt or threatened the child.",
                    False,
                    True,
                ),
                (
                    "home-kebutuhan",
                    "Rumah mempunyai tempat tidur, makanan dan kebutuhan dasar yang layak bagi "
                    "anak.",
                    "The home has a bed, food and the other basic needs of a child.",
                    True,
                    True,
                ),
                (
                    "home-alkohol",
                    "Ada orang dewasa di rumah yang minum alkohol atau memakai narkoba secara "
                    "berlebihan.",
                    "An adult at home drinks heavily or uses drugs.",
                    False,
                    False,
                ),
                (
                    "home-pengawasan",
                    "Ada orang dewasa di rumah yang mengawasi anak sepulang sekolah dan pada "
                    "malam hari.",
                    "An adult at home looks after the child after school and at night.",
                    True,
                    True,
                ),
            ],
        },
        {
            "title_id": "B. Risiko dikembalikan ke jalan",
            "title_en": "B. Risk of being sent back to the street",
            "intro_id": "",
            "intro_en": "",
            "scale": "ya-sebagian-tidak",
            "subscale": "street",
            "items": [
                (
                    "street-uang",
                    "Keluarga masih bergantung pada uang yang didapat anak di jalan.",
                    "The family still depends on money the child earns on the street.",
                    False,
                    True,
                ),
                (
                    "street-orang-lain",
                    "Ada orang dewasa di luar keluarga yang menyuruh atau memanfaatkan anak "
                    "bekerja di jalan.",
                    "An adult outside the family sends or uses the child to work on the street.",
                    False,
                    False,
                ),
                (
                    "street-kembali",
                    "Anak pernah kembali ke jalan setelah ditangani sebelumnya.",
                    "The child went back to the street after earlier help.",
                    False,
                    True,
                ),
                (
                    "street-penghasilan",
                    "Keluarga mempunyai penghasilan lain yang cukup untuk kebutuhan sehari-hari.",
                    "The family has enough other income for its daily needs.",
                    True,
                    True,
                ),
            ],
        },
        {
            "title_id": "C. Kerja sama orang tua",
            "title_en": "C. Parents' cooperation",
            "intro_id": "",
            "intro_en": "",
            "scale": "ya-sebagian-tidak",
            "subscale": "parents",
            "items": [
                (
                    "parents-hadir",
                    "Orang tua atau wali hadir pada pertemuan dan kunjungan yang dijadwalkan.",
                    "The parents or guardian come to scheduled meetings and visits.",
                    True,
                    True,
                ),
                (
                    "parents-mengakui",
                    "Orang tua mengakui bahwa menyuruh anak bekerja di jalan membahayakan anak.",
                    "The parents accept that sending the child to work on the street harms "
                    "the child.",
                    True,
                    True,
                ),
                (
                    "parents-pernyataan",
                    "Orang tua menepati surat pernyataan yang sudah ditandatangani.",
                    "The parents keep to the undertaking they signed.",
                    True,
                    False,
                ),
                (
                    "parents-menghalangi",
                    "Orang tua menolak atau menghalangi petugas menemui anak.",
                    "The parents refuse to let staff see the child, or get in the way.",
                    False,
                    True,
                ),
            ],
        },
        {
            "title_id": "D. Keinginan anak sendiri",
            "title_en": "D. The child's own wishes",
            "intro_id": (
                "Tanyakan kepada anak dengan cara yang sesuai usianya, tanpa orang tua di "
                "ruangan."
            ),
            "intro_en": (
                "Ask the child in a way that suits their age, without the parents in the room."
            ),
            "scale": "ya-sebagian-tidak",
            "subscale": "wishes",
            "items": [
                (
                    "wishes-takut",
                    "Anak mengatakan takut pulang ke rumah.",
                    "The child says they are afraid to go home.",
                    False,
                    True,
                ),
                (
                    "wishes-sekolah",
                    "Anak mengatakan ingin bersekolah dan tidak kembali bekerja di jalan.",
                    "The child says they want to go to school and not go back to street work.",
                    True,
                    True,
                ),
            ],
        },
        {
            "title_id": "E. Keinginan anak dan langkah pengamanan",
            "title_en": "E. The child's wishes and safety measures",
            "intro_id": "Jawaban tertulis; tidak dihitung dalam skor.",
            "intro_en": "Written answers; not part of the score.",
            "scale": None,
            "subscale": None,
            "items": [
                (
                    "wishes-kata-anak",
                    "Apa yang diinginkan anak, dengan kata-kata anak sendiri.",
                    "What the child wants, in the child's own words.",
                    False,
                    True,
                ),
                (
                    "langkah-pengamanan",
                    "Langkah pengamanan yang disarankan.",
                    "Recommended safety measures.",
                    False,
                    True,
                ),
            ],
        },
    ],
    "bands": [
        (
            "",
            "low",
            0,
            "Risiko rendah",
            "Low risk",
            "Anak dapat tinggal di rumah atau pulang dengan pemantauan rutin.",
            "The child can stay at home or go home with routine monitoring.",
            False,
        ),
        (
            "",
            "medium",
            10,
            "Risiko sedang",
            "Medium risk",
            "Perlu rencana keselamatan dan pendampingan keluarga sebelum anak pulang.",
            "A safety plan and support for the family are needed before the child goes home.",
            False,
        ),
        (
            "",
            "high",
            19,
            "Risiko tinggi: rumah belum aman",
            "High risk: home not safe yet",
            "Rumah belum aman bagi anak: anak tetap dalam perlindungan dan kasus segera dibahas "
            "dalam rapat tim.",
            "Home is not safe for the child yet: the child stays in protection and the team "
            "discusses the case promptly.",
            True,
        ),
    ],
}

SHIPPED = (BIOPSYCHOSOCIAL, SAFETY)


def load(apps, schema_editor):
    """Create version 1 of each shipped instrument, published, unless it exists."""
    Instrument = apps.get_model("assessments", "Instrument")
    Section = apps.get_model("assessments", "Section")
    AnswerScale = apps.get_model("assessments", "AnswerScale")
    ScaleOption = apps.get_model("assessments", "ScaleOption")
    Subscale = apps.get_model("assessments", "Subscale")
    Item = apps.get_model("assessments", "Item")
    Band = apps.get_model("assessments", "Band")
    now = timezone.now()
    for spec in SHIPPED:
        if Instrument.objects.filter(code=spec["code"]).exists():
            continue
        # Built as a draft and published once whole, as the console does; the
        # same function then also works with the live models (tests reload it).
        instrument = Instrument.objects.create(
            code=spec["code"],
            version_number=1,
            status="draft",
            name_id=spec["name_id"],
            name_en=spec["name_en"],
            purpose_id=spec["purpose_id"],
            purpose_en=spec["purpose_en"],
            roles=spec["roles"],
            answers_class=spec["answers_class"],
            method="sum",
            min_answered_percent=spec["min_answered_percent"],
        )
        scales = {}
        for scale in spec["scales"]:
            scales[scale["code"]] = AnswerScale.objects.create(
                instrument=instrument,
                code=scale["code"],
                name_id=scale["name_id"],
                name_en=scale["name_en"],
            )
            for order, (value, label_id, label_en) in enumerate(scale["options"], 1):
                ScaleOption.objects.create(
                    scale=scales[scale["code"]],
                    order=order,
                    value=Decimal(value),
                    label_id=label_id,
                    label_en=label_en,
                )
        subscales = {}
        for order, (code, name_id, name_en) in enumerate(spec["subscales"], 1):
            subscales[code] = Subscale.objects.create(
                instrument=instrument,
                code=code,
                order=order,
                name_id=name_id,
                name_en=name_en,
                method="mean",
            )
        for order, section_spec in enumerate(spec["sections"], 1):
            section = Section.objects.create(
                instrument=instrument,
                order=order,
                title_id=section_spec["title_id"],
                title_en=section_spec["title_en"],
                intro_id=section_spec["intro_id"],
                intro_en=section_spec["intro_en"],
            )
            scale = scales.get(section_spec["scale"]) if section_spec["scale"] else None
            subscale = subscales.get(section_spec["subscale"]) if section_spec["subscale"] else None
            for item_order, (code, text_id, text_en, reverse, required) in enumerate(
                section_spec["items"], 1
            ):
                Item.objects.create(
                    instrument=instrument,
                    section=section,
                    order=item_order,
                    code=code,
                    text_id=text_id,
                    text_en=text_en,
                    scale=scale,
                    reverse=reverse,
                    subscale=subscale,
                    required=required,
                )
        for target, code, start, label_id, label_en, meaning_id, meaning_en, attention in spec[
            "bands"
        ]:
            Band.objects.create(
                instrument=instrument,
                subscale=subscales[target] if target else None,
                code=code,
                from_score=Decimal(start),
                label_id=label_id,
                label_en=label_en,
                meaning_id=meaning_id,
                meaning_en=meaning_en,
                attention=attention,
            )
        Instrument.objects.filter(pk=instrument.pk).update(status="published", published_at=now)


def unload(apps, schema_editor):
    Instrument = apps.get_model("assessments", "Instrument")
    Assessment = apps.get_model("assessments", "Assessment")
    codes = [spec["code"] for spec in SHIPPED]
    if Assessment.objects.filter(instrument_code__in=codes).exists():
        raise RuntimeError("assessments were made with the shipped instruments; keep them")
    for instrument in Instrument.objects.filter(code__in=codes):
        instrument.items.all().delete()
        instrument.bands.all().delete()
        instrument.delete()


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
