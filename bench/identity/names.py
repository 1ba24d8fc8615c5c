"""Vocabularies for the synthetic record generator.

Invented combinations of common given names; no record describes a real
person. Tokens are in today's spelling; the generator adds old spellings,
typing errors and nicknames itself.
"""

# ruff: noqa: SIM905 - word lists read best as text

from __future__ import annotations

# Boys: Arabic-derived, Javanese/Sundanese, modern Indonesian, Bugis, Banjar,
# Kutai and Dayak-flavoured names, and Christian names common among Dayak and
# Toraja families in East Kalimantan.
BOYS = """
ahmad abdul abdullah abdurrahman adam adnan afif agil akbar akmal alfarizi alfian ali alif
alvaro amir amri anas anwar aqil arif arifin arsyad asraf azam azka azzam bilal
daffa dzaki fadil fadli fahmi fahri faiz faisal fajri farhan farid fathan fathur fauzan
fauzi fikri firdaus ghani ghazali habib hafiz hakim hamdan hamid hamzah hanif haris hasan
hasbi hidayat husein ibrahim ikhsan ikhwan ilham imam iqbal irfan ismail jalaludin jamal
kamal kamil khairul khalid latif luthfi mahmud malik mansur maulana misbah mubarak mukhlis
munir musa mustafa nabil naufal nasir nizar nurdin nurudin rafa rafi rafli rahman rahmat
raihan ramadhan rasyid ridho ridwan rifai rizal rizki salim salman samsudin shafwan
sulaiman syahrul syaiful syamsudin taufik ubaid umar usman wahid yahya yasin yusuf
zaenal zaki zidan zulfikar zulkifli
adi aditya agung agus andika angga anggara ardi ardiansyah arga arya bagas bagus bambang
banyu bayu bima bintang budi cahyo candra dani danu darmawan dedi dimas dika dion dwiki
eko erlangga fajar febri galang galih gilang guntur gunawan hadi hari haryanto hendra
hendri heru indra irawan iwan jaka joko kurniawan kusuma laksana lintang mahesa nanda
nugroho pandu permana prasetyo pratama purnomo putra raka rangga rendi reza rian rio
sakti santoso saputra satria septian setiawan sigit slamet sugeng suharto surya susilo
sutrisno tegar teguh wahyu wahyudi wibowo wira wisnu yoga yudha yudi
andi baso daeng amiruddin arung syahril sulfikar akhyar hairul rusdi jumadi junaidi
zainuddin rahmadi norhadi noor gusti antang bahen tingang ringkai apui lawing jalung
ramli rustam syamsul jumran basri hasanuddin muis takdir sudirman haerul irwan ambo
yohanes petrus paulus markus yosua daniel samuel stefanus kristian fransiskus imanuel
gabriel mikael yakob timotius yonatan
""".split()

GIRLS = """
aisyah aulia anisa azzahra zahra fatimah khadijah hafsah halimah humaira inayah jihan
kamila khairunnisa latifah maryam nabila nadia nafisa naila najwa nayla nazwa nurul
nurhaliza qonita rahma rahmawati raudah safira salsabila salma sakinah syifa zahira
zaskia zulaikha zainab ulfa husna hasna hanifah habibah maulida munawarah mutiara
amelia anggraeni aprilia ardelia ayu bunga cantika citra della desi dewi dian dinda
eka elisa erna fitri fitria indah intan juwita kartika keysha kirana larasati lestari lia
maharani maya mawar melati novita oktaviani puspita putri rani ratih ratna reva rina
riska rizka rosita sabrina sari sekar septiani shinta sinta sulastri suryani tasya tiara
utami vina wahyuni widya wulan yasmin yulia yuni anjani ananda arum asih bening cahaya
dara dwi endah fara gita hana kinanti laila lusi mega nanda nia nindi permata pertiwi
purnama ratu salwa suci tri yanti
norhayati masitah jamilah rusmini hairani mahrita dayang inang hartati nurlela rabiah
aminah sitti nurjannah hasmawati megawati nurhayati rahmah marlina rusmiati jumiati
normila noorhasanah saadah
maria magdalena elisabet kristina yohana debora ester lidia agnes veronika monika theresia
""".split()

# Names a family may give to several children (the "family token"), by sex.
FAMILY_TOKENS_BOY = "putra pratama saputra ramadhan hidayat kurniawan setiawan akbar".split()
FAMILY_TOKENS_GIRL = "putri lestari ramadhani hidayati kurniawati sari wulandari".split()

# Sibling names that differ in a letter or two: brothers and sisters (or
# twins) are often given such pairs.
SIBLING_PAIRS = [
    ("rizki", "rizka"), ("putra", "putri"), ("fitra", "fitri"), ("hasan", "husein"),
    ("dika", "diki"), ("rafi", "rafa"), ("nanda", "ananda"), ("dewa", "dewi"),
    ("andi", "andika"), ("aldi", "aldo"), ("fajar", "fajri"), ("rahmat", "rahma"),
    ("indra", "indah"), ("wahyu", "wahyuni"), ("yudi", "yuni"), ("rian", "rina"),
    ("dimas", "dinda"), ("arif", "arifin"), ("zaki", "zakia"), ("salman", "salma"),
    ("naufal", "naila"), ("hafiz", "hafizah"), ("nabil", "nabila"), ("rafli", "rafi"),
]  # fmt: skip

PAIR_GIRLS = frozenset(
    "rizka putri fitri dewi indah wahyuni yuni rina dinda zakia salma naila hafizah nabila"
    " rahma".split()
)

# Parents' names (the father's, written after bin/binti or on the form).
FATHERS = """
abdul ahmad ali amir anwar arifin asep bambang basri budi darman dedi eko hamid hasan
hasanuddin hendra herman ibrahim imam irwan ismail jafar joko jumadi junaidi kadir
mansur mukhlis mulyadi nasir nurdin rahman rahmat ramli riduan rusdi rustam saleh salim
samsul slamet sudirman sugeng suharto sukardi sulaiman suparman supriadi syahrani
syamsudin taufik usman wahyudi yusuf zainal haeruddin jumran syarifuddin baharuddin
muhlis tajuddin lukman firdaus suyanto sumarno darmawan kasim nawawi sahrani ardiansyah
yohanes petrus markus paulus antonius
""".split()

# Nicknames as children and street workers actually use them. Wider than the
# matcher's own table on purpose: not every nickname is known to it.
NICKNAMES_BY_NAME: dict[str, tuple[str, ...]] = {
    "rizki": ("kiki", "iki"), "rizka": ("kiki",), "zaki": ("kiki",), "muhamad": ("mamat",),
    "rahmat": ("mamat",), "nurudin": ("udin",), "syamsudin": ("udin",), "jalaludin": ("udin",),
    "samsudin": ("udin",), "zainuddin": ("udin",), "setiawan": ("iwan",),
    "kurniawan": ("iwan",), "gunawan": ("iwan",), "irawan": ("iwan",), "rahayu": ("ayu",),
    "kartika": ("ika", "tika"), "zulaikha": ("ika",), "hadi": ("adi",), "aditya": ("adit",),
    "andika": ("dika",), "annisa": ("nisa", "ica"), "anisa": ("nisa", "ica"),
    "aulia": ("lia",), "amelia": ("lia", "amel"), "fitria": ("fitri", "pipit"),
    "salsabila": ("salsa", "caca"), "nabila": ("bila",), "khairunnisa": ("nisa",),
    "ramadhan": ("rama", "dani"), "ramadani": ("dani",), "ardiansyah": ("ardi",),
    "ibrahim": ("baim",), "abdurrahman": ("maman",), "abdullah": ("dullah",),
    "fajar": ("jay",), "reza": ("eja",), "syifa": ("ipa",), "nurhaliza": ("liza",),
    "yohanes": ("anis", "yoyo"), "fransiskus": ("frans",), "kristian": ("ian",),
}  # fmt: skip
GENERIC_NICKNAMES_BOY = ("dede", "adek", "ucok", "otong", "buyung")
GENERIC_NICKNAMES_GIRL = ("dede", "adek", "neng", "upik", "butet", "nonik")

MUHAMMAD_WRITTEN = (
    ("Muhammad", 40), ("Muhamad", 14), ("Moh.", 8), ("Muh.", 8), ("M.", 12),
    ("Mohammad", 6), ("Mochammad", 4), ("Moch.", 3), ("Mohamad", 3), ("Mhd.", 2),
)  # fmt: skip

OTHER_REGIONS = ("7371", "6472", "6302", "6303", "3578", "7311", "6402", "6409", "5271")
