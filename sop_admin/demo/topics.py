"""What demo complaints are about: typical reports to a city's complaint desk.

Each topic is (subject, description, party complained about). `{street}` and
`{days}` are filled in per complaint so that reports on one topic differ.
"""

from ..models import Classification

TOPICS = {
    Classification.COMPLAINT: (
        ("Jalan berlubang",
         "Jalan di {street} berlubang cukup dalam dan membahayakan pengendara "
         "sepeda motor, terutama saat hujan.",
         "Dinas Pekerjaan Umum dan Penataan Ruang"),
        ("Lampu penerangan jalan mati",
         "Lampu PJU di {street} mati sejak {days} hari lalu sehingga jalan gelap "
         "pada malam hari dan rawan kejahatan.",
         "Dinas Perhubungan"),
        ("Sampah tidak diangkut",
         "Sampah di TPS dekat {street} tidak diangkut selama {days} hari dan "
         "menimbulkan bau tidak sedap.",
         "Dinas Lingkungan Hidup"),
        ("Saluran air tersumbat",
         "Saluran air di {street} tersumbat sehingga air meluap ke jalan setiap "
         "kali hujan deras.",
         "Dinas Sumber Daya Air"),
        ("Pengurusan KTP-el lambat",
         "Saya mengurus KTP-el sejak {days} hari lalu tetapi sampai sekarang belum "
         "selesai dan tidak ada kejelasan dari petugas.",
         "Dinas Kependudukan dan Pencatatan Sipil"),
        ("Dugaan pungutan liar",
         "Petugas meminta biaya tambahan saat saya mengurus surat pengantar di "
         "kelurahan dekat {street}, padahal layanan ini gratis.",
         "Kelurahan"),
        ("Parkir liar di bahu jalan",
         "Banyak kendaraan parkir di bahu jalan {street} sehingga terjadi "
         "kemacetan setiap sore.",
         "Dinas Perhubungan"),
        ("Pohon tumbang belum dibersihkan",
         "Pohon tumbang di {street} sudah {days} hari belum dibersihkan dan "
         "menutup sebagian jalan.",
         "Dinas Lingkungan Hidup"),
        ("Antrean puskesmas terlalu lama",
         "Antrean di puskesmas dekat {street} sangat lama; saya menunggu lebih "
         "dari tiga jam untuk mendapat pelayanan.",
         "Dinas Kesehatan"),
        ("Kebisingan tempat usaha malam hari",
         "Tempat usaha di {street} memutar musik keras sampai larut malam dan "
         "mengganggu warga sekitar.",
         "Satuan Polisi Pamong Praja"),
    ),
    Classification.ASPIRATION: (
        ("Usulan taman bermain anak",
         "Mohon dibangun taman bermain anak di lahan kosong dekat {street} karena "
         "anak-anak bermain di pinggir jalan.",
         None),
        ("Usulan penambahan rute angkutan umum",
         "Warga di sekitar {street} mengusulkan rute angkutan umum baru karena "
         "belum ada trayek yang melintas.",
         None),
        ("Usulan pelatihan UMKM",
         "Kami pelaku usaha kecil di sekitar {street} mengusulkan pelatihan "
         "pemasaran daring bagi UMKM.",
         None),
        ("Usulan jalur sepeda",
         "Mohon dipertimbangkan jalur sepeda yang aman di sepanjang {street}.",
         None),
        ("Usulan tempat sampah terpilah",
         "Mohon disediakan tempat sampah organik dan anorganik di taman dekat "
         "{street}.",
         None),
    ),
    Classification.INFORMATION_REQUEST: (
        ("Jadwal SIM keliling",
         "Mohon informasi jadwal dan lokasi layanan SIM keliling bulan ini.",
         None),
        ("Syarat akta kelahiran",
         "Apa saja syarat pengurusan akta kelahiran untuk anak yang lahir di luar "
         "kota? Sudah {days} hari saya mencari informasinya.",
         None),
        ("Informasi beasiswa daerah",
         "Mohon informasi pendaftaran beasiswa pemerintah daerah untuk mahasiswa "
         "tahun ini.",
         None),
        ("Jadwal posyandu",
         "Mohon informasi jadwal posyandu balita di wilayah {street}.",
         None),
        ("Prosedur izin usaha mikro",
         "Bagaimana prosedur mendapatkan NIB untuk usaha mikro rumahan?",
         None),
    ),
}

EXPECTATIONS = {
    Classification.COMPLAINT: (
        "Mohon segera ditindaklanjuti.",
        "Mohon diperbaiki secepatnya.",
        "Mohon petugas yang bersangkutan ditegur.",
    ),
    Classification.ASPIRATION: (
        "Semoga dapat dianggarkan tahun depan.",
        "Mohon usulan ini dipertimbangkan.",
    ),
    Classification.INFORMATION_REQUEST: (
        "Mohon dijawab melalui kanal yang sama.",
        "Mohon informasinya.",
    ),
}
