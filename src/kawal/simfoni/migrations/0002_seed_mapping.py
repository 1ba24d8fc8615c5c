"""Seed the SIMFONI-PPA mapping (a frozen copy of ``kawal.simfoni.vocab.default_rows``).

A fresh database starts with these rows; the configuration console changes
them afterwards. Existing rows are never overwritten.
"""

from django.db import migrations

ROWS = [
    ('form', 'forced_selling', 'Eksploitasi'),
    ('form', 'forced_begging', 'Eksploitasi'),
    ('form', 'begging_with_parent', 'Eksploitasi'),
    ('form', 'child_labour', 'Eksploitasi'),
    ('form', 'neglect', 'Penelantaran'),
    ('form', 'sexual_exploitation', 'Eksploitasi'),
    ('form', 'trafficked', 'Trafficking'),
    ('form', 'physical_violence', 'Fisik'),
    ('form', 'psychological_violence', 'Psikis'),
    ('form', 'other', 'Lainnya'),
    ('place', 'seen:tissues', 'Fasilitas Umum'),
    ('place', 'seen:newspapers', 'Fasilitas Umum'),
    ('place', 'seen:begging', 'Fasilitas Umum'),
    ('place', 'seen:busking', 'Fasilitas Umum'),
    ('place', 'seen:scavenging', 'Fasilitas Umum'),
    ('place', 'seen:other', 'Fasilitas Umum'),
    ('place', 'form:forced_selling', 'Fasilitas Umum'),
    ('place', 'form:forced_begging', 'Fasilitas Umum'),
    ('place', 'form:begging_with_parent', 'Fasilitas Umum'),
    ('place', 'form:child_labour', 'Tempat Kerja'),
    ('place', 'form:neglect', 'Rumah Tangga'),
    ('place', 'form:sexual_exploitation', 'Lainnya'),
    ('place', 'form:trafficked', 'Lainnya'),
    ('place', 'form:physical_violence', 'Lainnya'),
    ('place', 'form:psychological_violence', 'Lainnya'),
    ('place', 'form:other', 'Lainnya'),
    ('relation', 'orang_tua', 'Orang Tua'),
    ('relation', 'keluarga', 'Keluarga/Saudara'),
    ('relation', 'suami_istri', 'Suami/Istri'),
    ('relation', 'pacar_teman', 'Pacar/Teman'),
    ('relation', 'guru', 'Guru'),
    ('relation', 'majikan', 'Majikan'),
    ('relation', 'rekan_kerja', 'Rekan Kerja'),
    ('relation', 'tetangga', 'Tetangga'),
    ('relation', 'lainnya', 'Lainnya'),
    ('relation', 'na', ''),
    ('relation', 'none_recorded', ''),
    ('service', 'intake', 'Pengaduan'),
    ('service', 'psychological_assessment', 'Kesehatan'),
    ('service', 'daily_observation', 'Kesehatan'),
    ('service', 'health_check', 'Kesehatan'),
    ('service', 'police_report', 'Penegakan Hukum'),
    ('service', 'legal_process', 'Penegakan Hukum'),
    ('service', 'shelter_stay', 'Rehabilitasi Sosial'),
    ('service', 'placement', 'Rehabilitasi Sosial'),
    ('service', 'parent_programme', 'Reintegrasi Sosial'),
    ('service', 'reunification', 'Reintegrasi Sosial'),
    ('service', 'after_care', 'Reintegrasi Sosial'),
    ('service', 'school_enrolment', 'Reintegrasi Sosial'),
    ('service', 'return_other_region', 'Pemulangan'),
    ('age', '0', '0-5'),
    ('age', '1', '0-5'),
    ('age', '2', '0-5'),
    ('age', '3', '0-5'),
    ('age', '4', '0-5'),
    ('age', '5', '0-5'),
    ('age', '6', '6-12'),
    ('age', '7', '6-12'),
    ('age', '8', '6-12'),
    ('age', '9', '6-12'),
    ('age', '10', '6-12'),
    ('age', '11', '6-12'),
    ('age', '12', '6-12'),
    ('age', '13', '13-17'),
    ('age', '14', '13-17'),
    ('age', '15', '13-17'),
    ('age', '16', '13-17'),
    ('age', '17', '13-17'),
    ('education', 'level:sd', 'SD'),
    ('education', 'level:mi', 'SD'),
    ('education', 'level:paket_a', 'SD'),
    ('education', 'level:smp', 'SLTP'),
    ('education', 'level:mts', 'SLTP'),
    ('education', 'level:paket_b', 'SLTP'),
    ('education', 'level:sma', 'SLTA'),
    ('education', 'level:smk', 'SLTA'),
    ('education', 'level:ma', 'SLTA'),
    ('education', 'level:paket_c', 'SLTA'),
    ('education', 'status:in_school', 'NA'),
    ('education', 'status:dropped_out', 'NA'),
    ('education', 'status:never_enrolled', 'Tidak Sekolah'),
    ('education', 'status:not_school_age', 'Belum Sekolah'),
    ('education', 'status:unknown', 'NA'),
    ('disability', 'described', 'Ya'),
    ('disability', 'not_described', 'Tidak'),
]


def seed(apps, schema_editor):
    MappingRow = apps.get_model("simfoni", "MappingRow")
    have = set(MappingRow.objects.values_list("axis", "local_value"))
    MappingRow.objects.bulk_create(
        [
            MappingRow(axis=axis, local_value=local, simfoni_value=simfoni)
            for axis, local, simfoni in ROWS
            if (axis, local) not in have
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("simfoni", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
