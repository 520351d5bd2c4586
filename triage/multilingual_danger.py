"""Danger-now cue words of the languages the rules do not read, by kind (``triage.multilingual`` finds them).

From general knowledge of each language, as people type them on phones (without diacritics, in Latin
letters); no translation, just the words a supervisor with no interpreter would still want flagged.
"""

from __future__ import annotations

import re
from typing import Final

from triage.multilingual_medical import MEDICAL
from triage.multilingual_returns import RETURNS_SOON

_I = re.IGNORECASE

# Danger now, by kind of cue; one kind alone is weak, two kinds together are a signal to raise.
DANGER: Final = tuple((kind, re.compile(pattern, _I)) for kind, pattern in (
    ("confined",
     r"\b(?:enferm\w*|séquestr\w*|fèmen|tranc(?:ad|ou|aram|ar)\w*|(?<!ser )(?<!seja )(?<!foi )(?<!for )presa|"
     r"(?<!ser )(?<!seja )(?<!foi )(?<!for )presos?|nhốt|bị nhốt|nakakulong|kinulong|"
     r"заперт\w*|заперл\w*|зачинен\w*|замкнен\w*|zamknię\w*|zamknie\w*|închis\w*|încuiat\w*|dikunci|"
     r"terkunci|amefungiwa|\w*fungi(?:a|wa) ndani|(?:wa|a|tu|m)(?:me|ta|na)m?(?:w|ni|tu)?fungia|"  # sw
     r"eingesperrt|rinchius\w*|chius\w* a chiave|khóa cửa|khóa trái|bị giữ|giam|"
     r"kandado|ikinandado|ayaw (?:na )?(?:siya|akong|kami|kaming) pauwiin|"
     r"(?:hindi|di) (?:siya|ako|kami|sila) (?:pinapalabas|pinalalabas|pinapayagang lumabas)|"
     r"замкнул\w*|замкну\w*|зачинил\w*|"
     r"закрыли|закрыта|закрыт|держат|не выпуска\w*|не отпуска\w*|не випуска\w*|"
     r"тримають|держал\w*|удержива\w*|fechad[oa]|não deixa\w* (?:el[ae]s? )?sair|"
     r"ne (?:me |la |nous )?laisse\w* pas sortir|"
     r"nu (?:ne|mă|ma|o|îl|il) (?:lasă|lasa) (?:să|sa) "  # ro: does not let us (me, her, him) leave
     r"(?:plecăm|plecam|plec|plece|ieșim|iesim|ies|iasă|iasa)|"
     r"(?:me|la|le|nous|les) surveill\w*|"
     r"zaperl\w*|zapert\w*|zakryl\w*|ne (?:vypuska|otpuska|vypuskai|vypuskay)\w*|derzhat|zachyn\w*|"
     r"zamkn\w*|trymaiut|trymayut|zamyka\w*|"
     r"band (?:hain|hai|hu|hoon|hun|kar rakh\w*)|"  # hi, ur in Latin letters: "ek ghar mein band hain"
     r"suo zai|suo le|guan zai|guan qilai|chu bu qu|bu rang (?:wo|women|ta) (?:zou|chuqu)|"  # zh in pinyin
     r"dhoka (?:\w+ ){0,2}?(?:lagayo|lagaideko|lagaeko|band gar\w*)|thunera rakh\w*|"  # ne
     r"band kar ke rakh\w*|bahar (?:nahi|nahin) jaan (?:dinde|dindi|dinda)|"  # pa
     r"ja+n (?:nahi|nahin) (?:dinda|dinde)|"  # pa
     r"dikurung|disekap|dilarang keluar|"  # id
     r"(?:la )?i(?:gu)? xir(?:ay|tay|an)|xidhay|ku xiran|ku xireen|ku xidheen|"  # so
     r"tidak (?:boleh|diizinkan|dibolehkan) (?:keluar|turun|pulang|pergi)|"  # id
    r"band kar (?:diya|di|rakha|rakhi|ke)|bahar (?:nahi|nahin) (?:jane|jaane|nikalne)|qaid|kaid|"  # hi, ur
    r"msak+ar\w*|m[s9]ak+ra|m2fol\w*|ma?9?foul\w*|"  # ar in Latin letters
    r"ma (?:ka)?y?(?:kh|5)al+i?w?(?:ou|o|u)?(?:ni|nich|nish|nich?i) n?(?:kh|5)r[ae]?j|"
    r"ma (?:bi)?y?(?:kh|5)al+ou?ni(?:sh)? a?(?:tla3|atla3|ot?la3)|"
    r"(?:mesh|mish|msh) (?:bi|b)?y?s[ie]b(?:ou|u)ni a?(?:5|kh)rog)\b"  # Egyptian: "mesh bysebuni a5rog"
     r"|关起来|關起來|关在|關在|被关|被關|锁在|鎖在|被锁|被鎖|锁门|鎖門|门锁了|門鎖了|锁上|鎖上|出不去|出不來|出不来|不让我走|不讓我走|不让她出门|不让他出门|不让出门|不讓出門|"
     r"갇혀|감금|가둬|못 나가|잠갔|잠겼|"
     r"ขังไว้|ถูกขัง|محبوس\w*|حبس\w*|قفلوا|أقفلوا|مقفول|أغلق\w*|اغلق\w*|محتجز\w*|"
     r"بند कर|बंद कर|ተዘግቶ|"
     r"ኣይፍቀደ|ኣይፍቀዱ|አይፈቀድ|አያስወጡ|ቆልፏ|ቆልፎ|ቆለፈ|ዘግቶብ|"
     r"ዓጽዩ|ዓጺዩ|ዓጽዮም|ዓጺዮም|ተዓጽየ|ተዓጺየ|ተዓጺና|ተዓጽና"  # ti: locked (me, us) in
     r"|\b(?:kilitle\w*|kilitli|hapsett\w*|hapsed\w*|kapat(?:tı|ti|tılar|tilar)\w*|"
     r"[cç][iı]kam[iı]yor\w*|d[iı][sş]ar[iı] [cç][iı]karm[iı]yor\w*|b[iı]rakm[iı]yor\w*)\b"  # tr
     r"|閉じ込め|監禁|出してもらえな|外に出られな|外に出してくれな"  # ja
     r"|আটকে রেখেছে|আটকে রাখে|আটকে রাখছে|আটকে রেখে|তালা দিয়ে|তালা মেরে|তালাবন্ধ|তালাবদ্ধ|বন্দি করে|বন্দী করে|"
     r"বের হতে দেয় ?না|বাইরে যেতে দেয় ?না|যেতে দিচ্ছে ?না"  # bn
     r"|બંધ કરી|પૂરી રાખ|બહાર જવા દેતો નથી|બહાર જવા દેતા નથી"  # gu
     r"|ਬੰਦ ਕਰ|ਕੈਦ|ਤਾਲਾ ਲਾ|ਤਾਲਾ ਲਗਾ"  # pa: shut in, locked
     r"|փակել են|փակված|փակեց|դուրս չեն թողնում|դուրս չի թողնում"  # hy
     r"|\b(?:түгжсэн|түгжчихсэн|түгжээд|гаргахгүй байна|гаргадаггүй)"  # mn: locked in, not let out
     r"|\b(?:bez[aá]r(?:tak|t|ták|va|ta)\w*|nem enged(?:nek|nak|)?\s+(?:ki|el|haza)|"
     r"fogva tart\w*)\b"  # hu
     r"|\b(?:qamab qo[ʻ'’`]?y\w*|qamal\w*|qulflab\w*|chiqarma(?:yapti|ydi|yaptilar|ydilar)\w*)\b"  # uz
     r"|\b(?:(?:më|me|na|e|i) mbyll\w*|mbyllur|nuk (?:më|me|na) l[eë](?:në|ne)? t[eë] dal\w*)\b"  # sq
     r"|ບໍ່ໃຫ້(?:\S{0,12})ອອກ|ຖືກຂັງ|ຂັງໄວ້|ລັອກປະຕູ"  # lo: not let (me) out, locked up
     r"|ចាក់សោ|ឃុំខ្លួន|មិនឱ្យចេញ|មិនអោយចេញ"  # km: locked, held, not let out
     r"|သော့ခတ်|ပိတ်ထားတယ်|ပိတ်ထားတာ|ချုပ်ထား|အပြင် ?မထွက်ရ|ထွက်ခွင့် ?မပေး"  # my: locked, shut in, held
     r"|زندانی|قفل کرد\w*|"
     r"(?:نمی\s?\u200c?(?:گذار|ذار)\w*)(?:\s+\S+){0,3}?\s+(?:بیرون|برم|بروم|بریم|برویم)"  # fa, prs
     r"|کمرے میں بند|گھر میں بند|کمرے میں قید|قید کر رکھا"  # ur: shut in a room (a house)
     r"|बाहिरबाट बन्द|बाहिरबाट ताल्चा|ताल्चा लगाएर"  # ne: shut (locked) from outside, having locked
     r"|दरवाजा बाहर से बंद|دروازہ بند کر|دروازه (?:یې )?(?:تړلې|قلفه)"  # hi, ur, ps
     r"|\bzaklju[čc](?:ao|ala|ali|an|ana|ani|ava|avaju)\b"  # bs, hr, sr: locked (not "zaključak")
     r"|\bkp[oọ]chi(?:ri|ra|e|el[ie])\b"  # ig: locked (me, us) in
     r"|பூட்டி வை|பூட்டிவை|அடைத்து வை"  # ta: locked, shut in
    ),
    ("documents",  # papers taken: exploitation, not by itself danger now
     r"\b(?:passeports?|pasaportes?|passaportes?|hộ chiếu|паспорт\w*|paszport\w*|pașaport\w*|paspor|"
     r"pasport\w*|"
    r"j[ae]?waz(?: s[ae]far\w*)?|jawaz|kagzat|kaagzaat|rahadani|baasaboor\w*|baasboor|"
    r"pasipoti|basbor|"
    r"pasaport\w*|passport|huzhao|yeogwon)\b"
     r"|护照|護照|여권|พาสปอร์ต|جواز|पासपोर्ट|ፓስፖርት|পাসপোর্ট|પાસપોર્ટ|ਪਾਸਪੋਰਟ|անձնագիր|փաստաթղթեր"
     r"|\b(?:[uú]tlev[eé]l\w*)\b"),  # hu
    ("weapon",
     r"\b(?:arme|pistolet|couteau|zam|kouto|arma|(?=faca)(?<!s[aă] )faca|súng|"
     r"(?:cầm|con|bằng|rút|cam|rut|bang) dao|baril|"
     r"kutsilyo|пистолет|нож|ружь\w*|"
     r"пістолет|ніж|broń|pistolet|nóż|armă|cuțit|pistol|senjata|pisau|bunduki|kisu|waffe|messer|"
     r"pistola|coltello|nozh|nizh|ruzh'?\w*|obrez|"
    r"bandook|banduk|bandooq|chaku|chaaku|chaakoo|katta|tamancha|"  # hi, ur in Latin letters
    r"sla7|sle7|sila7|msdes|mosadas|musaddas|sekkina|sikkina|sekina|jenwi|jnwi)\b|枪|槍|刀|총|칼|ปืน|มีด|سلاح|مسدس|سكين|बंदूक|चाकू|ሽጉጥ|ቢላ|ছুরি|বন্দুক|পিস্তল"
     r"|\b(?:silah\w*|b[iı][cç]a[kğg]\w*|tabanca\w*)\b"  # tr
     r"|包丁|ナイフ|拳銃|銃を"  # ja
     r"|\b(?:k[eé]s(?:t|sel|e|ét|et|ével)?|fegyver\w*|pisztoly\w*|puskával)\b"  # hu
     r"|\b(?:pichoq\w*|qurol\w*|to[ʻ'’`]?pponcha\w*)\b"  # uz
     r"|\b(?:thik[eë]\w*|arm[eë] zjarri|revol(?:e|ver)\w*)\b"  # sq
     r"|چاقو|تفنگ|اسلحه"  # fa, prs
    ),
    ("kill_or_hurt",
     r"\b(?:tuer|tue|frappe\w*|batt\w*|menac\w*|touye|bat li|menase|matar|mata|bate\w*|espanc\w*|"
     r"ameaç\w*|giết|đánh|đe dọa|biết tay|papatayin|binubugbog|pinapalo|banta|убь\w*|убить|убьют|бьёт|бьет|"
     r"избива\w*|угрож\w*|вбити|вб'є|б'є|погрож\w*|zabij\w*|bije|grozi\w*|omoar\w*|bate|amenință\w*|"
     r"bunuh|membunuh|dipukul|memukul|mengancam|kuua|atamuua|anampiga|tishio|umbringen|töten|"
     r"schlägt|droht|uccider\w*|picchia\w*|minacci\w*|избил\w*|ударил\w*|побил\w*|bate em mim|"
     r"me bateu|m'a frapp\w*|bat mwen|đánh tôi|đánh cô|sinaktan|pinalo|bili|pobił\w*|m-a bătut|"
     r"(?:m|l|i|ne)-au b[ăa]tut|m-a batut|"  # ro
     r"alinipiga|amenipiga|atampiga|kumpiga|sinampal|sinuntok|sinasaktan|"  # sw, tl
     r"kut(?:chha|yo|chhan|era)|pit(?:chha|yo)|mar(?:i)?dinchh?u|marchha|"  # ne
     r"maarda|maar (?:dau|devega|dena)|kutt(?:da|de|eya)|"  # pa
     r"dipukuli|memukuli|dianiaya|akan dibunuh|mengancam akan|"  # id
     r"garaac\w*|i dil(?:ayaa|i doonaa|ayaan)|dilayaa|"  # so
     r"yigedlu?(?:gn|n)al|yigedilegnal|yimetagnal|yidebedbu?gnal|"  # am in Latin letters
     r"ub'?(?:yu|iu|yut|iut|ju|jut)|ubit'?|ubiyu|vbyty|vb'?ie|vb'?ye|b'?(?:yot|jot|iot|ye|ie)|izbi\w*|"
     r"ugrozha\w*|pogrozh\w*|udaril\w*|pobil\w*|slomal\w*|zlamav|zlamaly|"
    r"maar (?:dega|denge|dalega|dalenge|dungi|dunga|diya)|jaan se maar\w*|maarta|marta hai|maarti|"
    r"peet(?:ta|ti|a|e)\w*|pitai|dhamki|dhamka\w*|"  # hi, ur in Latin letters
    r"y[9q]t[ae]?l(?:ni|ha|hom|ek)|[9q]t[ae]?lni|ghadi y[9q]t\w*|"
    r"(?:bt|by|t|y)?(?:dh|d)r[aeo]?b(?:ni|ha|hom)|vdary\w*|udaryl\w*|sha le wo|yao sha|da le wo|"
    r"y?(?:dh|d)r[ae]?b(?:ni|ha|hom)|dh?arab(?:ni|ha)|yhad+[ae]?dni|kayhded\w*|hadadni)\b"
     r"|杀|殺|打了?[我她他]|被打|威胁|威脅|죽이|때리|때렸|협박|ฆ่า|ทำร้าย|ตบ|ขู่|يقتل|سيقتل|يضرب|ضربني|ضربها|"
     r"يهدد|ضرب\w*|मार डाल|मारता|मारा|पीटा|धमकी|ይገድላ|ይመታ|ደበደበ|ሊገድለኝ|ክቐትለኒ|ይወቕዓኒ|"
     r"打了|打伤|打傷|打死|下场|下場"
     r"|\b(?:[oö]ld[uü]r(?:ecek|[uü]r|mek|ece[gğ]im|[uü]m)\w*|"
     r"d[oö]v(?:[uü]yor|d[uü]|ecek|er)\w*|tehdit\w*|vur(?:du|uyor|acak)\w*)\b"  # tr
     r"|殺す|殺され|殴られ|殴る|蹴られ|暴力を"  # ja
     r"|মেরে ফেলবে|খুন করবে|মারবে(?!\s*না)|মারধর|মারছে|পেটায়|পেটাচ্ছে|মেরেছে|হুমকি"  # bn
     r"|મારી નાખશે|મારશે|ધમકી"  # gu
     # pa: will kill, beats, will beat (not "ਕੁੱਟਿਆ", beat: a training case says it, so it waits for a refit)
     r"|ਮਾਰ ਦੇਵੇਗਾ|ਕੁੱਟਦਾ|ਕੁੱਟੇਗਾ|ਮਾਰੇਗਾ|ਧਮਕੀ"
     r"|կսպանեմ|կսպանի|սպանել|ծեծում|ծեծել|ծեծեց|սպառնում"  # hy
     r"|\b(?:зодно|зодож|зодсон|зоддог|ална)\b"  # mn: will beat, beats, will kill
     r"|\b(?:ще (?:ме|ни|я|го|те) (?:убие|убият|бие|бият|пребие)|бие (?:ме|ни|я)|бият (?:ме|ни|я))\b"  # bg
     r"|جان سے مار|مار دے گا|مار دیں گے|مار ڈالے گا|مار ڈالیں گے|مارتا ہے|مارتے ہیں"  # ur: will kill, beats
     r"|(?:بہت|مجھے|اسے|انہیں|ہمیں|اس کو|مجھ کو) (?:مارا|پیٹا)|پیٹتا ہے|پیٹتے ہیں"  # ur: beat (me, her)
     # yo: will kill me, beats me
     r"|(?<!\w)(?:y[oó]ò? pa m[ií]|m[aá]a l[uù] m[ií]|w[ọo]\u0301?n ń l[uù] m[ií])(?!\w)"
     r"|\b(?:meg[öo]l(?:öm|om|lek|nek|i|ik|né|ne|ték|tek|te|ni)|megver\w*|meg[üu]t[öo]tt\w*|"
     r"ver(?:nek|ik|ték|tek)|b[aá]nt(?:anak|ott|ja|ják|ani)\w*)\b"  # hu
     r"|\b(?:o[ʻ'’`]?ldir\w*|ur(?:di|ishdi|yapti|ishyapti|adi|ishadi|masin)|kaltakla\w*)\b"  # uz
     r"|\b(?:rrah\w*|vras\w*|godit\w*)\b"  # sq: beat, kill, hit
     r"|(?<!ပုံ)(?<!ပုံ )ရိုက်(?:မယ်|နှက်|လို့)|သတ်(?:မယ်|ပစ်)"  # my: will beat (not a photo), kill
     r"|می\s?\u200c?کش(?:د|ه|ند|ن)(?!\w)|بکش(?:د|ه|ند|ن)(?!\w)|(?:مرا|منو|ما را|ما رو) زد(?:ند|ن)?(?!\w)"
     # a beating given, not "کتکم نمی‌زند" (he does not beat me)
     r"|کتک(?:م|ش|مان|شان)?\s+(?:زد|زدند|زدن|می\s?\u200c?زند|میزنه|میزنن)(?!\w)"  # fa
     r"|\b(?:udario|udarila|pretukao|pretukla|tukao|ubi(?:t [ćc]e|će))\b"  # bs, hr, sr: hit, will kill
     r"|\b(?:ajjees(?:a|aa|uu|an|u)|ajjeefn\w*|na rukut\w*|na reeb\w*)\b"  # om: will kill, beat (me)
     r"|அடித்தா|அடிக்கிறா|கொன்றுவிடு|கொல்லுவே"  # ta: beat (me), will kill
    ),
    ("help",
     r"\b(?:aidez|au secours|à l'aide|sekou|ede m|ede nou|socorro|ajud\w*|cứu|giúp|tulong|saklolo|"
     r"помогите|спасите|допоможіть|рятуйте|pomocy|ratunku|ajutor|ajutați|ajutati|tolong|msaada|nisaidie|hilfe|aiuto|"
     r"помоги|помогите мне|помоги мне|pomóż\w*|pomoz\w*|jiu ?ming|bang ?bang wo|dowajuseyo|"
     r"saa3d?(?:ouni|ooni|uni)|"
     r"pomogit[ey]|pomohit[ey]|spasit[ey]|dopomozh[iy]t[ʹ']?|dopomozhy|r[iy]atu[iy]te|"
    r"bachao|bacha lo|bachaao|madad karo|madad chahiye|"  # hi, ur in Latin letters
    r"bachau|maddat garnus|sahayog garnus|"  # ne
    r"bantu(?:lah)? (?:saya|kami)|erdugn|irdugn|"  # id, am
    r"i caawi\w*|gargaar\w*|"  # so
    r"thov pab|pab kuv|"  # hmn
    r"3awn(?:ouni|oni|ini|i)|sa3d(?:ouni|ooni|oni)|sa3[ie]dni|el ?naj?da)\b"
     r"|救命|帮帮|幫幫|求救|살려|도와주|ช่วยด้วย|ช่วย|ساعدوني|النجدة|मदद|बचाओ|እርዳታ"
     r"|\b(?:yard[iı]m ed(?:in|er misiniz)|yard[iı]m et|imdat|kurtar[iı]n)\b"  # tr
     r"|助けて|たすけて"  # ja
     r"|বাঁচাও|বাঁচান|সাহায্য করুন|সাহায্য চাই|উদ্ধার করুন"  # bn
     r"|મદદ કરો|બચાવો|ਮਦਦ ਕਰੋ|ਬਚਾਓ"  # gu, pa
     r"|օգնեք|օգնիր|փրկեք"  # hy
     r"|\b(?:туслаач|туслаарай|тусална уу|авраач|аврааарай)\b"  # mn
     r"|\b(?:помогнете|помогни|помощ)\b"  # bg
     r"|مدد کریں|مدد کرو|مدد چاہیے|بچاؤ|بچائیں"  # ur
     r"|(?<!\w)(?:r[aà]n\s+(?:m[ií]|w[aá])\s+l[ọo][\u0300\u0301]?w[ọo][\u0300\u0301]?|"  # yo: help me (us)
     r"gb[aà]\s+m[ií]\s+s[ií]l[ẹe])"
     r"|\b(?:seg[ií]ts[eé]g\w*|seg[ií]ts(?:en|enek|etek)?)\b"  # hu
     r"|\b(?:yordam (?:bering|beringlar|kerak)|qutqaring\w*)\b"  # uz
     r"|\b(?:ndihm\w*)\b"  # sq
     r"|ຊ່ວຍແດ່|ຊ່ວຍຂ້ອຍ|ຊ່ວຍນຳ|ជួយផង|ជួយខ្ញុំ|ကူညီပါ|ကူညီကြပါ|ကယ်ပါ|ကယ်ကြပါ"  # lo, km, my: help (me)
     r"|کمک"  # fa, prs
     r"|\bnyere (?:m|anyị|anyi) aka\b"  # ig: help me (us)
     r"|\b(?:gargaarsa (?:barbaada|nan barbaachisa)|na gargaar(?:aa|i))\b"  # om: I need help, help me
     r"|உதவி செய்யுங்கள்|காப்பாற்றுங்கள்"  # ta: help (me), save (me)
    ),
    ("police",
     r"\b(?:police|lapolis|polícia|cảnh sát|công an|pulis|полици\w*|поліці\w*|policj\w*|poliți\w*|"
     r"polisi|polizei|polizia|prahari|booliis\w*|politsi\w*|polits\w*|politsii|militsi\w*|shorta|chorta|bolis)\b|报警|報警|警察|경찰|ตำรวจ|الشرطة|पुलिस|ፖሊስ|পুলিশ|પોલીસ|ਪੁਲਿਸ|ਪੁਲੀਸ|ոստիկան"
     r"|\b(?:polis(?:e|i|in|ten)?)\b"  # tr
     r"|\bцагдаа\w*"  # mn
     r"|\bполиция\w*|پولیس|(?<!\w)ọlọ́pàá|olopaa(?!\w)"  # bg, ur, yo
     r"|\b(?:rend[őo]r\w*|politsiya\w*|militsiya\w*)\b"  # hu, uz
     r"|\b(?:polic(?:i|ia|in[eë]|is[eë]))\b|ຕຳຫຼວດ|ຕໍາຫຼວດ|ប៉ូលិស|ရဲစခန်း|ရဲကို"  # sq, lo, km, my
     r"|پلیس"  # fa, prs
    ),
    ("now",
     r"\b(?:ce soir|cette nuit|maintenant|en ce moment|tout de suite|demain matin|dans une heure|"
     r"aswè a|kounye a|"
     r"demain (?:à|a|vers) \d{1,2}\s*h\w*|demain (?:très )?tôt|à l'aube|dès l'aube|"
     r"demen (?:apre|aswè|swa|maten)|"  # ht
     r"demen maten|esta noite|hoje à noite|hoje de noite|agora|amanhã cedo|daqui a uma hora|"
     r"hoje a noite|hj (?:à|a|de) noite|hj noite|"  # pt as typed on phones
     r"tối nay|bây giờ|ngay|sáng mai|ngày mai|một tiếng nữa|ngayong gabi|ngayon|bukas ng umaga|"
     r"bukas ng alas[- ]?\d{1,2}(?: ng umaga)?|"
     r"сегодня ночью|сегодня вечером|сегодня|сейчас|через час|завтра утром|сьогодні вночі|сьогодні|зараз|"
     r"завтра|"
     r"через годину|завтра вранці|dziś w nocy|dzisiaj w nocy|dzisiaj|dziś|teraz|jutro rano|za godzinę|"
     r"diseară|în seara asta|acum|mâine dimineață|peste o oră|malam ini|sekarang|besok pagi|"
     r"diseara|deseara|in seara asta|maine dimineata|peste o ora|la noapte|azi|astăzi|astazi|"  # ro
     r"usiku huu|sasa hivi|kesho asubuhi|leo|"
     r"heute nacht|heute abend|jetzt|morgen früh|stanotte|stasera|adesso|"
     r"subito|domani mattina|"
     r"segodn[yi]a\s+(?:nochyu|nochiu|noch'?yu|noch'?iu|vecherom)|s[eyi]chas|seichas|sejchas|cherez chas|"
     r"zavtra utrom|zavtra vranci|s'?[oi]?ohodni(?:\s+vnochi)?|syohodni(?:\s+vnochi)?|vnochi|zaraz|"
     r"cherez hodynu|[ov]\s*\d{1,2}\s*(?:vechora|vechera)|"
    r"mamayang gabi|mamaya|oneul ?bam|jintian wanshang|jin ?wan|xianzai|mashang|"
    r"abhi|aaj raat|aaj rat|kal subah|ek ghante (?:mein|me)|turant|"  # hi, ur in Latin letters
    r"aaja raati|aaja beluka|aaja belukha|ahile|bholi bihana|"  # ne
    r"ajj? raat|ajj? shaam|hune|kal sa[wv]ere|"  # pa
    r"nanti malam|hari ini|"  # id
    r"caawa|hadda|berri subax|"  # so
    r"zare mata|zare|ahun|"  # am in Latin letters
    r"hmo no|tam sim no|"  # hmn
    r"daba|dorka|hala2|halla2|hal2|delwa2ti|dilwa2ti|dilwa'?ti|el ?lila|el ?leila|lilla|lyouma|lyoum|"
    r"elyom|el ?yom|ghod?wa (?:sba7|fe?sba7)|bokra (?:sba7|el sob7)|ba3d sa3a)\b"
     r"|今晚|今夜|今天晚上|今天夜里|明天|今天|(?<!到)现在|(?<!到)現在|马上|馬上|明天早上|明早|一小时后|一個小時|"
     r"오늘 밤|오늘|지금|방금|내일 아침|"
     r"คืนนี้|วันนี้|ตอนนี้|พรุ่งนี้เช้า|الليلة|اليوم|الآن|غدا صباحا|بكرة|بكره|هلق|هلأ|"
     r"आज रात|आज|अभी|कल सुबह|ዛሬ ማታ|ዛሬ|አሁን|ነገ|ጽባሕ|ሕጂ|ሎሚ ምሸት|ሎሚ ለይቲ"
     # tr: now, tonight, this evening, tomorrow morning (night, evening), at once
     r"|\b(?:[sş]u an|[sş]imdi|bu gece|bu ak[sş]am|yar[iı]n (?:sabah|gece|ak[sş]am)|hemen)\b"
     r"|今晩|今すぐ|今から|明日の朝"  # ja
     r"|আজ রাতে|আজকে রাতে|আজ রাত|এখনই|এখন|কাল সকালে|আজকে|আজ"  # bn
     r"|અત્યારે|હમણાં|આજે રાત્રે|આજ રાત્રે|ਅੱਜ ਰਾਤ|ਹੁਣੇ"  # gu, pa
     r"|հիմա|այս գիշեր|այսօր|վաղը առավոտ"  # hy
     r"|\b(?:одоо|өнөө орой|өнөө шөнө|маргааш өглөө)\b"  # mn: now, tonight, tomorrow morning
     r"|\b(?:тази нощ|тази вечер|довечера|сега|веднага|утре сутринта)\b"  # bg
     r"|آج رات|اس وقت|کل صبح"  # ur: tonight, right now, tomorrow morning (not "ابھی", also "still")
     r"|نن شپه|سبا سهار"  # ps: tonight, tomorrow morning
     r"|(?<!\w)(?:l[aá]l[ẹe][\u0300\u0301]?|al[ẹe][\u0300\u0301]?)\s+y[iìí][iìí](?!\w)"  # yo: tonight
     r"|(?<!\w)n[ií]s[ií]ns[ií]ny[ií](?!\w)"  # yo: now
     r"|\b(?:azonnal|ma este|ma [eé]jjel|ma [eé]jszaka|holnap reggel|holnap hajnal\w*|[eé]jf[eé]lkor)\b"  # hu
     r"|\b(?:hozir|darhol|bugun kechqurun|bugun kechasi|bu kecha|ertaga ertalab)\b"  # uz
     r"|\b(?:sonte|menj[eë]her[eë]|nes[eë]r n[eë] m[eë]ngjes)\b"  # sq (not "tani", also Arabizi's "another")
     r"|ດຽວນີ້|ຄືນນີ້|ឥឡូវនេះ|យប់នេះ|ဒီည|ဒီနေ့ည|ယနေ့ည|ချက်ချင်း"  # lo, km, my: now, tonight
     r"|همین الان|(?<!\w)الان(?!\w)|امشب|فردا صبح|همین حالا"  # fa, prs
     r"|भोलि बिहान|अहिले नै"  # ne: tomorrow morning, right now
     r"|\b(?:ve[čc]eras|no[ćc]as|sutra ujutro)\b"  # bs, hr, sr: tonight, tomorrow morning
     r"|\bn[’']?ab[aá]l[iị] a\b|\bugbu a\b"  # ig: tonight, now
     r"|\b(?:halkan kana|har[’']?a galgala)\b"  # om: tonight, this evening
     r"|இன்று இரவு|இப்போது"  # ta: tonight, now
    ),
    ("moved_or_sold",
     r"\bra khơi\b|"  # vi: (the boat) heads out to sea, with him aboard
     r"\b(?:(?:la|le|les|nous|me|l')\s*(?:conduire|amener|emmener|transférer|déplacer|envoyer) "
     r"(?:à|a|en|au|aux|chez)|"
     r"emmener|emmène|vendre|vendu\w*|levar|vender|vendid[ao]|mang tôi đi|chuyển đi|bán|"
     # vi: drives or takes her over to another place ("10 giờ ông chở chị qua Oklahoma")
     r"(?:chở|đưa) (?:chị|em|cô|nó|tôi|họ|con|bé) (?:qua|sang|tới|đến|lên|xuống)|"
     r"dadalhin|ibebenta|isasakay|"
     r"отв[её]з\w*|ув[её]з\w*|прода[её]т|продаю\w*|продать|продадут|продал\w*|перев[её]з\w*|"
     r"відвез\w*|продати|везут|повезут|увезут|отвезут|"
     r"(?:m'|t'|l'|nous |les |la |le )envoi\w* (?:à|a|en|au|aux|chez)|"  # fr: "il m'envoie à Miami"
     r"zawio(?:z|zą|zł)\w*|wywioz\w*|wiezie\w*|wywozi\w*|"  # pl
     # pl: takes us (away) to; not to school, home, the doctor's or church
     r"zabier(?:a|ze|ają|zą)\s+(?:nas|mnie|ją|go|je|ich)\s+(?:na|do|w)\b"
     r"(?!\s+(?:szkoł|dom|lekarz|szpital|kości|przedszkol|babci))|"
     r"(?:a|wa)(?:ta|na|me)(?:ni|m|tu|wa)pelek\w*|"  # sw: "atanipeleka"
     r"qaadi doon\w*|qaadayaan|"  # so
     r"deryeoga\w*|"  # ko in Latin letters
     r"mai gei|mai le (?:wo|ta)|dai zou|song (?:dao|qu)|"  # zh in pinyin
     r"(?:ne|o|îl|il|îi|ii|le|te|mă|ma)[ -](?:mută|muta|mute|mutăm|vinde|vândă|vanda|vând|vand)\b|"  # ro
     r"wywieź\w*|sprzeda\w*|vând\w*|duc\w* la|membawa|menjual|dijual|kuuza|wanampeleka|verkaufen|"
     r"verkauft|portare via|vendere|"
     r"otvez\w*|uvez\w*|vyvez\w*|prodad\w*|prodat'?|prodal\w*|pereve[zs]\w*|vidvez\w*|prodaty|"
     r"otdadut|otdat'?|peredadut|peredaty|"
     r"(?:la|le|les|me|nous|l')\s*vend\w*|"  # fr: "il la vend"
     r"bech(?:chha|dinchha|ne)|lai ?ja(?:anchha|nchha|dai)|"  # ne
     r"le ke ja(?:a)? (?:reha|rahe|riha|rahya|rahi)|"  # pa
     r"dibawa (?:ke|pergi)|akan dibawa|dipindahkan|"  # id
     r"iibin\w*|iibiy\w*|kaxay\w*|kaxey\w*|"  # so
     r"atamrudisha|kumrudisha|atampeleka|"  # sw
     r"(?:l'|les |la |le )envo(?:ie|ient|yer)|"  # fr
     r"eb[uụ]ga|"  # ig: will carry (me) off ("ọ ga-ebuga m steeti ọzọ")
     r"pathaunchh?[au]|pathaidinchh?a|"  # ne
     r"ihahatid|ihatid|"  # tl
     r"(?:vin )?(?:chache|pran) (?:l|li|m|nou|yo) (?:demen|aswè|jodi)|"  # ht: "vin chache l demen"
     r"yiwesd\w*|"  # am in Latin letters: "they will take (me)"
    r"bech (?:dega|denge|diya|dengi|rahe)|le (?:jayega|jaenge|jaayenge|ja rahe|jaega)|"  # hi, ur
    r"bhej(?:enge|ega|egi|e?nge| denge| dega| raha| rahe| rahi| diya| dena| dainge| deyange)|"
    r"y?bi3(?:ni|ha|hom)|ybe3(?:ni|ha)|ghadi yb[ie]?3\w*|yn[a9]?[9q]lni|yn[a2]?2[ae]?l(?:ni|ha|hom)|"
    r"ywadd?ini|ydd?ini|[tyn]?ba?3a?t(?:ni|ha|hom|uni|ouni)|"
    r"ha?y?e?wadd?(?:ee|i)(?:ni|na|ha)|ha?y?(?:5|kh)od(?:na|ni|ha)|"  # Egyptian: "hayewadeeni", "hay5odna"
    r"y?a?(?:5|kh)d(?:u|ou|o)?(?:ni|na|ha|hom)|msafr(?:een|in|ine)|"  # Egyptian: "3ayzeen ya5duni"
    r"coj (?:nws|kuv|peb|lawv) mus|"
    r"(?:me|nos|a|ela|o|ele|te) lev(?:a|am|ou|aram) (?:pra|para|até) (?:uns|umas|os|as|outro|outra)|"  # pt
    r"(?:3a|3ala|la|li|l) ?(?:wila[yi][ae]h?|welay[ae]|madine|madina) "
    r"(?:tanye|tanya|tania|tanyeh|ukhra|okhra))\b"
     r"|送到|送去|带走|帶走|带她去|帶她去|带他去|"
     r"(?<!贩)卖|(?<!販)賣|팔아|팔려|데려가|옮긴|옮겨|보낸|"
     r"다른 (?:도시|주|동네)로|차에 태워|억지로 (?:차에|데려)|"  # ko: "to another city", "forced into a car"
     r"ขาย|พาไป|ย้าย|يبيع|(?<![\u0621-\u064a])بيع(?![\u0621-\u064a])|بيعها|بيعهم|للبيع|ببيع|"
     r"ينقل|ياخذو|बेच|ले जा|भेज रहा|भेज रही|भेजेंग|ይሸጡ|ክሸጠ|ክሸጡ|ክሸጣ|ክሸጥ|"
     r"ክወስዳ|ክወስዶ|ክወስዶም|ክወስደኒ|ክወስዱኒ|ክወስዱና|ሊወስደኝ|ሊወስዱኝ|ሊወስዱን"
     r"|\b(?:sat(?:acak|[iı]yor|mak|[iı]lacak)\w*|"
     r"g[oö]t[uü]r(?:ecek|[uü]yor|m[uü][sş])\w*|ba[sş]ka (?:[sş]ehre|eyalete|yere)|"
     # a flight, "ilk uçakla gidiyor" (she flies out first thing)
     r"u[cç]a[kğg]\w*\s+(?:\w+\s+)?(?:gidiyor|gidecek|gönder\w*|bin\w*|götür\w*)|"
     r"u[cç]uyor(?:lar)?|u[cç]acak(?:lar)?)\b"  # tr: (she, they) fly out, not "we fly"
     r"|売られ|売る|連れて行かれ|連れていかれ|連れてかれ|連れて行く|移される|相手させられ|客を取らされ"  # ja
     r"|বিক্রি করে দেবে|বিক্রি করবে|বিক্রি করে দিয়েছে|বেচে দেবে|নিয়ে যাবে|পাঠিয়ে দেবে"  # bn
     # bg: put us (her, him, me) in a car, drive us off, sell us
     r"|\b(?:ни|ги|я|го|ме) (?:качват|качи|откарат|откара|карат|закарат|продадат|продаде)\b"
     r"|\b(?:elad(?:nak|tak|ták|ni|ja|ják|na)|[aá]tvisz\w*|elvisz(?:nek|ik|i)\w*|"
     r"[aá]tsz[aá]ll[ií]t\w*)\b"  # hu
     r"|\b(?:sot(?:ib yubor|moqchi|ishdi|ishmoqchi|ishadi)\w*|"
     r"olib ket(?:ishadi|moqchi|adi|ishmoqchi)\w*)\b"  # uz
     r"|\b(?:(?:më|me|na|e|i) (?:shesin|shet|shiti|shit[eë]n|çojn[eë]|cojne|marrin me vete))\b"  # sq
     r"|می\s?\u200c?فروش(?:د|ند|ه|ن)(?!\w)|فروخت\w*|"
     r"(?:مرا|منو|ما را|ما رو|او را|اونو) (?:می\s?\u200c?(?:برد|برند|بره|برن))(?!\w)"  # fa
    ),
    ("no_food",
     r"\b(?:pas de nourriture|rien à manger|sem comida|không có đồ ăn|không có gì ăn|walang pagkain|"
     r"без еды|нет еды|не дают есть|без їжі|їжі немає|немає їжі|нема їжі|"
     r"bez jedzenia|fără mâncare|fara mancare|tidak ada makanan|hakuna chakula|"
     r"n(?:u |-)am (?:mâncat|mancat)|nu (?:ne |ne-|mi |mi-)?(?:dă|da|dau) (?:de )?(?:mâncare|mancare)|"  # ro
     r"ha(?:na|wana|tuna) chakula|bila chakula|"
     r"kein essen|"
     r"bez edy|net edy|ne da[yi]ut est'?|ne da[yi]ut yisty|bez yizhi|"
    r"khana nahi|khaana nahi|khana nahin|bhookh?[ae] rakh\w*|"  # hi, ur in Latin letters
    r"khana (?:diyeko chhaina|dindaina|dinna)|roti (?:nahi|nahin) (?:dinde|dindi)|"  # ne, pa
    r"tidak diberi makan|cunto ma (?:haysto|haystaan|haysano|siiyaan|siiso)|cunto la[’']?aan|"  # id, so
    r"ma kayn makla|mafi akl|mafish akl|bla makla)\b"
     r"|没有吃的|沒有吃的|没饭吃|没吃饭|沒吃飯|没吃东西|沒吃東西|ምግብ የለም|"
     r"먹을 것이 없|ไม่มีอาหาร|لا طعام|لا يوجد طعام|بدون طعام|بدون أكل|ما في أكل|"
     r"ما فيه أكل|खाना नहीं|খেতে দেয়নি|খেতে দেয় ?না|খাবার দেয় ?না|খাবার নেই|পানি নেই|পানি দেয় ?না"
     r"|\b(?:nem (?:kapunk|kapok|kap|adnak) enni|[eé]hez(?:ünk|unk|ek|tet)\w*)\b"  # hu
     r"|\b(?:ovqat berma\w*|och qoldi\w*)\b"  # uz
     r"|စားစရာ ?(?:ဘာမှ ?)?မရှိ|အစာ ?မကျွေး|ထမင်း ?မကျွေး|ထမင်း ?မစားရ"  # my: nothing to eat, not fed
     # ne: no food, not given to eat, the food ran out, has not eaten
     r"|खाना छैन|खान दिँदैन|खान दिदैन|खाना सकियो|खाएको छैन|खाएकी छैन"),
    ("hiding",
     r"\b(?:cach\w*|kache|escondid\w*|trốn|nagtatago|пряч\w*|прячусь|ховаю\w*|ukryw\w*|ascuns\w*|"
     r"bersembunyi|kujificha|versteck\w*|nascost\w*|pr[yj]ach\w*|khova\w*|hovaiu\w*|"
    r"chhup\w*|chhip\w*|chup ke|"  # hi, ur in Latin letters
    r"lukeko|luki ?rakheko|sembunyi|"  # ne, id
    r"m(?:t|s)?kh?ab(?:i|ya|ia)|mtkhbi|mestkhbi|m5bi|mt5bya)\b|躲|숨어|ซ่อน|مختبئ\w*|छिप"
     r"|\b(?:нуугдаж|нуугдсан|нуугдаад)"
     r"|\b(?:b[uú]jok|elb[uú]jt\w*|bujk[aá]l\w*|rejt[őo]z\w*)\b"  # hu
     r"|\b(?:yashirincha|yashirin(?:ib|yapman)\w*|berkin\w*)\b"  # uz
     r"|\b(?:fshihem|fshihemi|(?:jam|jemi) fsheh\w*)\b"  # sq
     r"|قایم|پنهان شده|مخفی شده"  # fa, prs
     r"|چھپی ہوں|چھپی ہوئی ہوں|چھپا ہوں|چھپا ہوا ہوں|چھپے ہوئے ہیں|چھپے ہیں"  # ur: I am (we are) hiding
     r"|トイレから(?:電話|かけ|送)|バスルームから(?:電話|かけ|送)|トイレに隠れ"  # ja: calling from the toilet
     r"|\bdhokad(?:he|hee|hera|heera|hanneerra)\w*"  # om: I (we) have hidden
     r"|লুকি(?:য়|\u09df)ে আছ(?:ি|েন|ে)"),  # bn: hiding, its ya with the nukta as two letters or one
    # Someone badly ill or hurt (with no care: the other cues say so): a medical emergency now.
    ("medical", MEDICAL),
    # Safe now: "giờ em ở nhờ nhà thờ, an toàn rồi", "por enquanto ele tá bem": the other cues are
    # of the past or of exploitation that is not danger now (``danger_cues`` drops them all).
    ("safe",
     r"\b(?:(?:tá|está|estou|estamos|estão|esta)\s+(?:bem|segur[oa]s?|a salvo)|em segurança|"  # pt
     r"en sécurité|à l'abri|"  # fr
     r"an toàn|"  # vi
     r"ligtas na|ligtas (?:siya|ako|kami|sila)|"  # tl
     r"v bezopasnosti|v bezpetsi|"  # ru, uk in Latin letters
     r"an sekirite|"  # ht
     r"(?:niko|yuko|tuko|wako) salama|"  # sw
     r"sudah aman|sekarang aman|"  # id
     r"surakshit (?:hai|hoon|hu|hain))\b"  # hi in Latin letters
     r"|в безопасности|у безпеці|в безпеці|很安全|安全了|现在安全|現在安全|بأمان|안전해|안전합니다|"
     r"위험하(?:진|지는|지) 않"
     r"|\b(?:biztons[aá]gban|nincs vesz[eé]ly\w*)\b"  # hu
     r"|\b(?:xavf yo[ʻ'’`]?q|xavfsiz (?:joy|joyda)\w*)\b"  # uz
     r"|\b(?:(?:jam|jemi) (?:mir[eë]|n[eë] siguri)|(?:jam|jemi) (?:i|e|t[eë]) sigurt)\b"  # sq
     r"|အန္တရာယ် ?မရှိ"  # my: no danger
     r"|در امان(?:م|یم)?(?!\w)|جای امن|امن هستم"),  # fa, prs
    # The one in control comes back within hours: "il revient dans quinze minutes", "vernetsya v 7".
    ("returns_soon", RETURNS_SOON),
))
