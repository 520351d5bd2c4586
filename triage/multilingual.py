"""Cue words for a child or for danger now in languages the rules do not read, from general knowledge of each.

The rules read English and Spanish. A hotline also hears French, Haitian Creole, Portuguese,
Vietnamese, Chinese, Korean, Tagalog, Russian, Ukrainian, Arabic, Hindi, Thai, Polish, Romanian,
Indonesian, Swahili, Amharic, German, Italian, Japanese, Nepali, Punjabi and Somali; Russian and Ukrainian
also in the Latin letters people type them in on phones without a Cyrillic keyboard ("pomogite",
"segodnya nochyu").
These lists are no translation: they
catch the words a supervisor with no interpreter would still want flagged (an age under 18, a
child, a weapon, a threat to kill, locked in, someone badly ill, the one in control back within
hours, the police, "tonight", "help") so that such a signal
is raised to a person at once and read with an interpreter. Every hit is evidence with its span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_I = re.IGNORECASE

# An age: digits (Western or Arabic-Indic) next to the word for "years (old)" in each language.
_DIGITS: Final = r"[0-9\u0660-\u0669\u06f0-\u06f9\u0966-\u096f\u0e50-\u0e59]{1,2}"
_AGE_AFTER: Final = (
    r"ans|an|lane|ane|anos|tuổi|tuoi|岁|歲|才|歳|살|세|taong gulang|taon|anyos|лет|года|год|років|роки|рік|"
    r"سنة|سنوات|عاما|عامًا|عام|साल|वर्ष|ปี|lat|lata|ani|tahun|ዓመት|አመት|jahre|jahren|jährig|jährige|anni|"
    r"yaş|yaşında|"
    r"let|goda|rokiv|roky|"  # ru, uk in Latin letters
    r"saal|sal|sala|baras|"  # hi, ur (and fa) in Latin letters; ko "살" romanised
    r"sana|sanawat|snin|"  # ar in Latin letters (Arabizi)
    r"jir(?:ka|ta)?|"  # so
    r"xyoo"  # hmn
)
_AGE_BEFORE: Final = (r"miaka|umri wa miaka|อายุ|umur|usia|tuổi|возраст|вік|عمرها|عمره|عمر|उम्र|ال|"
                      # Russian's age in the dative: "Моей дочери 17", "ей 16" (uk "доньці 15")
                      r"дочери|дочке|сыну|сестре|брату|племяннице|племяннику|внучке|внуку|ей|ему|"
                      r"доньці|сину|сестрі|братові|їй|йому|docheri|dochke|synu|sestre|bratu|"
                      r"3omr\w*|3umr\w*|umar|umr|da'?d\w* (?:waa|ayaa)")  # Arabizi, hi/ur in Latin letters
_AGE: Final = re.compile(
    rf"(?P<n>{_DIGITS})\s*-?\s*(?:{_AGE_AFTER})(?![^\W\d_])|"
    rf"(?<![^\W\d_])(?:{_AGE_BEFORE})\s*:?\s*(?P<m>{_DIGITS})(?!\d)", _I)
# Chinese and Japanese numerals for the teens, with 岁/歲/才/歳: 十三岁, 十五歲.
# Not the end of a larger number: "三十一岁" is 31 and "二十岁" 20, not 1 and 10.
_CJK_TEEN: Final = re.compile(r"(?<![一二三四五六七八九十两兩百0-9])"
                              r"(?:十[一二三四五六七]|[一二三四五六七八九]|十)(?:岁|歲|才|歳)")
# Teen ages in words as Hindi, Urdu, Farsi and Dari speakers type them: "solah saal", "hafda sala".
_WORD_TEENS: Final = {
    "gyarah": 11, "gyara": 11, "barah": 12, "bara": 12, "terah": 13, "tera": 13, "chaudah": 14,
    "chaudha": 14, "chauda": 14, "pandrah": 15, "pandra": 15, "solah": 16, "sola": 16, "satrah": 17,
    "satra": 17, "yazdah": 11, "yazda": 11, "davazdah": 12, "duwazda": 12, "dawazda": 12, "sizdah": 13,
    "sizda": 13, "chahardah": 14, "chaharda": 14, "charda": 14, "panzdah": 15, "panzda": 15,
    "shanzdah": 16, "shanzda": 16, "shonzda": 16, "hefdah": 17, "hefda": 17, "hafdah": 17, "hafda": 17,
}
_WORD_TEEN: Final = re.compile(
    r"\b(?P<w>" + "|".join(sorted(_WORD_TEENS, key=len, reverse=True)) + r")\s*-?\s*"
    r"(?:saal|sal|sala|salah|sale|baras|baras|varsh)(?![^\W\d_])", _I)
_KO_TEEN: Final = re.compile(r"(?:열|열한|열두|열세|열네|열다섯|열여섯|열일곱)\s*살|"
                             r"(?:열한|열두|열세|열네|열다섯|열여섯|열일곱)\s*(?:정도|쯤)")  # "about sixteen"

CHILD: Final = re.compile(
    r"\b(?:mineure?s?|enfants?|adolescente?s?|fillette|collégienne|lycéenne|"  # fr
    r"timoun|pitit fi|ti fi|minè|"  # ht
    r"menor(?:es)? de idade|crianças?|adolescentes?|menina|garota|"  # pt
    r"trẻ em|vị thành niên|em bé|học sinh|bé gái|"  # vi
    r"bata|batang|menor de edad|dalagita|"  # tl
    r"несовершеннолетн\w*|ребён\w*|ребен\w*|девочк\w*|подрост\w*|школьниц\w*|"  # ru
    r"неповнолітн\w*|дитин\w*|дівчинк\w*|підліт\w*|"  # uk
    r"reb[eyio]n(?:ok|ka|ku)|devochk\w*|podrost\w*|nesovershennoletn\w*|shkolni[ct]s?\w*|"  # ru, Latin
    r"dytyn\w*|divchynk\w*|pidlit\w*|nepovnolitn\w*|"  # uk, Latin
    r"nieletni\w*|dziecko|dzieci|dziewczynk\w*|nastolat\w*|"  # pl
    r"copil\w*|fetiță|fetita|minoră|minora|minori|"  # ro
    r"anak|di bawah umur|remaja|"  # id
    r"mtoto|watoto|msichana mdogo|"  # sw
    r"kind|kinder|mädchen|minderjährig\w*|jugendlich\w*|"  # de
    r"bambin[oa]|ragazzin[oa]|minorenne|"  # it
    r"nabalig|bachchi|bacchi|bachi|ladki|chhoti ladki|bachcha|bachche|"  # hi, ur in Latin letters
    r"9a9er|qaser|qasir|qasra|9asra|tefla|tifla|tfla|bent sghira|weld sghir)\b"  # ar in Latin letters
    r"|未成年|儿童|兒童|女孩|小女孩|学生|學生|孩子|미성년자|미성년|아이|소녀|학생|ผู้เยาว์|เด็ก|"
    r"قاصر|قاصرة|طفل|طفلة|أطفال|नाबालिग|बच्चा|बच्ची|बच्चे|लड़की|ልጅ|ሕፃን|"
    # a school year or a child's school: "chu zhong", "초등학교", "8 kaksha", "darasa la saba", "6yèm ane"
    r"初中|小学|小學|中学生|高中生|초등학교|중학교|고등학교|중학생|고등학생|"
    # Korean school years ("고1", first year of high school), a school uniform, a young girl
    r"(?<![가-힣0-9])[고중][1-3](?![0-9])|교복|여고생|여중생|남고생|남중생|어린 여자애|어린 남자애|"
    r"\b(?:chu ?zhong|xiao ?xue|gao ?zhong ?sheng|\d{1,2} ?kaksha|kaksha \d{1,2}|darasa la \w+|"
    r"\d{1,2}(?:yèm|yem|èm) ane|k[ií]nder|ensino fundamental|escola prim[aá]ria|"
    # a teen's age in words: "tem treze", "quinze ans", "kenz an"
    r"(?:tem|tinha|de|a|gen) (?:dez|onze|doze|treze|catorze|quatorze|quinze|dezesseis|dezasseis|dezessete|"
    r"dezassete|douze|treize|seize|dix-sept|trèz|katòz|kenz|sèz|disèt)(?: ans?| anos)?)\b", _I)

# Danger now, by kind of cue; one kind alone is weak, two kinds together are a signal to raise.
DANGER: Final = tuple((kind, re.compile(pattern, _I)) for kind, pattern in (
    ("confined",
     r"\b(?:enferm\w*|séquestr\w*|fèmen|tranc(?:ad|ou|aram|ar)\w*|(?<!ser )(?<!seja )(?<!foi )(?<!for )presa|"
     r"(?<!ser )(?<!seja )(?<!foi )(?<!for )presos?|nhốt|bị nhốt|nakakulong|kinulong|"
     r"заперт\w*|заперл\w*|зачинен\w*|замкнен\w*|zamknię\w*|zamknie\w*|închis\w*|încuiat\w*|dikunci|"
     r"terkunci|amefungiwa|\w*fungi(?:a|wa) ndani|(?:wa|a|tu|m)(?:me|ta|na)m?(?:w|ni|tu)?fungia|"  # sw
     r"eingesperrt|rinchius\w*|chius\w* a chiave|khóa cửa|khóa trái|bị giữ|giam|"
     r"kandado|ikinandado|ayaw (?:na )?(?:siya|akong|kami|kaming) pauwiin|"
     r"закрыли|закрыта|закрыт|держат|не выпуска\w*|не отпуска\w*|не випуска\w*|"
     r"тримають|держал\w*|удержива\w*|fechad[oa]|não deixa\w* (?:el[ae]s? )?sair|"
     r"ne (?:me |la |nous )?laisse\w* pas sortir|"
     r"(?:me|la|le|nous|les) surveill\w*|"
     r"zaperl\w*|zapert\w*|zakryl\w*|ne (?:vypuska|otpuska|vypuskai|vypuskay)\w*|derzhat|zachyn\w*|"
     r"zamkn\w*|trymaiut|trymayut|zamyka\w*|"
     r"band (?:hain|hai|hu|hoon|hun|kar rakh\w*)|"  # hi, ur in Latin letters: "ek ghar mein band hain"
     r"suo zai|suo le|guan zai|guan qilai|chu bu qu|bu rang (?:wo|women|ta) (?:zou|chuqu)|"  # zh in pinyin
     r"dhoka (?:\w+ ){0,2}?(?:lagayo|lagaideko|lagaeko|band gar\w*)|thunera rakh\w*|"  # ne
     r"band kar ke rakh\w*|bahar (?:nahi|nahin) jaan (?:dinde|dindi|dinda)|"  # pa
     r"ja+n (?:nahi|nahin) (?:dinda|dinde)|"  # pa
     r"dikurung|disekap|dilarang keluar|"  # id
     r"(?:la )?i(?:gu)? xir(?:ay|tay|an)|xidhay|ku xiran|"  # so
     r"tidak (?:boleh|diizinkan|dibolehkan) (?:keluar|turun|pulang|pergi)|"  # id
    r"band kar (?:diya|di|rakha|rakhi|ke)|bahar (?:nahi|nahin) (?:jane|jaane|nikalne)|qaid|kaid|"  # hi, ur
    r"msak+ar\w*|m[s9]ak+ra|m2fol\w*|ma?9?foul\w*|"  # ar in Latin letters
    r"ma (?:ka)?y?(?:kh|5)al+i?w?(?:ou|o|u)?(?:ni|nich|nish|nich?i) n?(?:kh|5)r[ae]?j|"
    r"ma (?:bi)?y?(?:kh|5)al+ou?ni(?:sh)? a?(?:tla3|atla3|ot?la3)|"
    r"(?:mesh|mish|msh) (?:bi|b)?y?s[ie]b(?:ou|u)ni a?(?:5|kh)rog)\b"  # Egyptian: "mesh bysebuni a5rog"
     r"|关起来|關起來|关在|關在|被关|被關|锁在|鎖在|被锁|被鎖|锁门|鎖門|门锁了|門鎖了|锁上|鎖上|出不去|出不來|出不来|不让我走|不讓我走|不让她出门|不让他出门|不让出门|不讓出門|"
     r"갇혀|감금|가둬|못 나가|ขังไว้|ถูกขัง|محبوس\w*|حبس\w*|قفلوا|أقفلوا|مقفول|أغلق\w*|اغلق\w*|محتجز\w*|"
     r"بند कर|बंद कर|ተዘግቶ|"
     r"ኣይፍቀደ|ኣይፍቀዱ|አይፈቀድ|አያስወጡ|ቆልፏ|ቆልፎ|ቆለፈ|ዘግቶብ"),
    ("documents",  # papers taken: exploitation, not by itself danger now
     r"\b(?:passeports?|pasaportes?|passaportes?|hộ chiếu|паспорт\w*|paszport\w*|pașaport\w*|paspor|"
     r"pasport\w*|"
    r"j[ae]?waz(?: s[ae]far\w*)?|jawaz|kagzat|kaagzaat|rahadani|baasaboor\w*|baasboor|"
    r"pasipoti|basbor|"
    r"pasaport\w*|passport|huzhao|yeogwon)\b"
     r"|护照|護照|여권|พาสปอร์ต|جواز|पासपोर्ट|ፓስፖርት"),
    ("weapon",
     r"\b(?:arme|pistolet|couteau|zam|kouto|arma|faca|súng|(?:cầm|con|bằng|rút|cam|rut|bang) dao|baril|"
     r"kutsilyo|пистолет|нож|ружь\w*|"
     r"пістолет|ніж|broń|pistolet|nóż|armă|cuțit|pistol|senjata|pisau|bunduki|kisu|waffe|messer|"
     r"pistola|coltello|nozh|nizh|ruzh'?\w*|obrez|"
    r"bandook|banduk|bandooq|chaku|chaaku|chaakoo|katta|tamancha|"  # hi, ur in Latin letters
    r"sla7|sle7|sila7|msdes|mosadas|musaddas|sekkina|sikkina|sekina|jenwi|jnwi)\b|枪|槍|刀|총|칼|ปืน|มีด|سلاح|مسدس|سكين|बंदूक|चाकू|ሽጉጥ|ቢላ"),
    ("kill_or_hurt",
     r"\b(?:tuer|tue|frappe\w*|batt\w*|menac\w*|touye|bat li|menase|matar|mata|bate\w*|espanc\w*|"
     r"ameaç\w*|giết|đánh|đe dọa|papatayin|binubugbog|pinapalo|banta|убь\w*|убить|убьют|бьёт|бьет|"
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
     r"يهدد|ضرب\w*|मार डाल|मारता|मारा|पीटा|धमकी|ይገድላ|ይመታ|ደበደበ|"
     r"打了|打伤|打傷|打死|下场|下場"),
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
     r"|救命|帮帮|幫幫|求救|살려|도와주|ช่วยด้วย|ช่วย|ساعدوني|النجدة|मदद|बचाओ|እርዳታ"),
    ("police",
     r"\b(?:police|lapolis|polícia|cảnh sát|công an|pulis|полици\w*|поліці\w*|policj\w*|poliți\w*|"
     r"polisi|polizei|polizia|prahari|booliis\w*|politsi\w*|polits\w*|politsii|militsi\w*|shorta|chorta|bolis)\b|报警|報警|警察|경찰|ตำรวจ|الشرطة|पुलिस|ፖሊስ"),
    ("now",
     r"\b(?:ce soir|cette nuit|maintenant|en ce moment|tout de suite|demain matin|dans une heure|"
     r"aswè a|kounye a|"
     r"demain (?:à|a|vers) \d{1,2}\s*h\w*|demain (?:très )?tôt|à l'aube|dès l'aube|"
     r"demen maten|esta noite|hoje à noite|hoje de noite|agora|amanhã cedo|daqui a uma hora|"
     r"hoje a noite|hj (?:à|a|de) noite|hj noite|"  # pt as typed on phones
     r"tối nay|bây giờ|ngay|sáng mai|ngày mai|một tiếng nữa|ngayong gabi|ngayon|bukas ng umaga|"
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
    r"ajj? raat|ajj? shaam|hune|"  # pa
    r"nanti malam|hari ini|"  # id
    r"caawa|hadda|berri subax|"  # so
    r"zare mata|zare|ahun|"  # am in Latin letters
    r"hmo no|tam sim no|"  # hmn
    r"daba|dorka|hala2|halla2|hal2|delwa2ti|dilwa2ti|dilwa'?ti|el ?lila|el ?leila|lilla|lyouma|lyoum|"
    r"elyom|el ?yom|ghod?wa (?:sba7|fe?sba7)|bokra (?:sba7|el sob7)|ba3d sa3a)\b"
     r"|今晚|今夜|今天晚上|今天夜里|明天|今天|现在|現在|马上|馬上|明天早上|明早|一小时后|一個小時|"
     r"오늘 밤|오늘|지금|방금|내일 아침|"
     r"คืนนี้|วันนี้|ตอนนี้|พรุ่งนี้เช้า|الليلة|اليوم|الآن|غدا صباحا|بكرة|بكره|هلق|هلأ|"
     r"आज रात|आज|अभी|कल सुबह|ዛሬ ማታ|ዛሬ|አሁን|ነገ|ጽባሕ|ሕጂ|ሎሚ ምሸት"),
    ("moved_or_sold",
     r"\b(?:(?:la|le|les|nous|me|l')\s*(?:conduire|amener|emmener|transférer|déplacer|envoyer) "
     r"(?:à|a|en|au|aux|chez)|"
     r"emmener|emmène|vendre|vendu\w*|levar|vender|vendid[ao]|mang tôi đi|chuyển đi|bán|"
     r"dadalhin|ibebenta|отв[её]з\w*|ув[её]з\w*|прода[её]т|продаю\w*|продать|продадут|продал\w*|перев[её]з\w*|"
     r"відвез\w*|продати|везут|повезут|увезут|отвезут|"
     r"(?:m'|t'|l'|nous |les |la |le )envoi\w* (?:à|a|en|au|aux|chez)|"  # fr: "il m'envoie à Miami"
     r"zawio(?:z|zą|zł)\w*|wywioz\w*|"  # pl
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
     r"pathaunchh?[au]|pathaidinchh?a|"  # ne
     r"ihahatid|ihatid|"  # tl
     r"yiwesd\w*|"  # am in Latin letters: "they will take (me)"
    r"bech (?:dega|denge|diya|dengi|rahe)|le (?:jayega|jaenge|jaayenge|ja rahe|jaega)|"  # hi, ur
    r"bhej(?:enge|ega|egi|e?nge| denge| dega| raha| rahe| rahi| diya)|"
    r"y?bi3(?:ni|ha|hom)|ybe3(?:ni|ha)|ghadi yb[ie]?3\w*|yn[a9]?[9q]lni|yn[a2]?2[ae]?l(?:ni|ha|hom)|"
    r"ywadd?ini|ydd?ini|[tyn]?ba?3a?t(?:ni|ha|hom|uni|ouni)|"
    r"ha?y?e?wadd?(?:ee|i)(?:ni|na|ha)|ha?y?(?:5|kh)od(?:na|ni|ha)|"  # Egyptian: "hayewadeeni", "hay5odna"
    r"y?a?(?:5|kh)d(?:u|ou|o)?(?:ni|na|ha|hom)|msafr(?:een|in|ine)|"  # Egyptian: "3ayzeen ya5duni"
    r"coj (?:nws|kuv|peb|lawv) mus|"
    r"(?:me|nos|a|ela|o|ele|te) lev(?:a|am|ou|aram) (?:pra|para|até) (?:uns|umas|os|as|outro|outra)|"  # pt
    r"(?:3a|3ala|la|li|l) ?(?:wila[yi][ae]h?|welay[ae]|madine|madina) "
    r"(?:tanye|tanya|tania|tanyeh|ukhra|okhra))\b"
     r"|送到|送去|带走|帶走|带她去|帶她去|带他去|"
     r"卖|賣|팔아|팔려|데려가|옮긴|옮겨|보낸|"
     r"다른 (?:도시|주|동네)로|차에 태워|억지로 (?:차에|데려)|"  # ko: "to another city", "forced into a car"
     r"ขาย|พาไป|ย้าย|يبيع|بيع|ينقل|ياخذو|बेच|ले जा|भेज रहा|भेज रही|भेजेंग|ይሸጡ"),
    ("no_food",
     r"\b(?:pas de nourriture|rien à manger|sem comida|không có đồ ăn|không có gì ăn|walang pagkain|"
     r"без еды|нет еды|не дают есть|без їжі|bez jedzenia|fără mâncare|tidak ada makanan|hakuna chakula|"
     r"ha(?:na|wana|tuna) chakula|bila chakula|"
     r"kein essen|"
     r"bez edy|net edy|ne da[yi]ut est'?|ne da[yi]ut yisty|bez yizhi|"
    r"khana nahi|khaana nahi|khana nahin|bhookh?[ae] rakh\w*|"  # hi, ur in Latin letters
    r"khana (?:diyeko chhaina|dindaina|dinna)|roti (?:nahi|nahin) (?:dinde|dindi)|"  # ne, pa
    r"tidak diberi makan|"  # id
    r"ma kayn makla|mafi akl|mafish akl|bla makla)\b"
     r"|没有吃的|沒有吃的|没饭吃|没吃饭|沒吃飯|没吃东西|沒吃東西|ምግብ የለም|"
     r"먹을 것이 없|ไม่มีอาหาร|لا طعام|لا يوجد طعام|بدون طعام|بدون أكل|ما في أكل|"
     r"ما فيه أكل|खाना नहीं"),
    ("hiding",
     r"\b(?:cach\w*|kache|escondid\w*|trốn|nagtatago|пряч\w*|прячусь|ховаю\w*|ukryw\w*|ascuns\w*|"
     r"bersembunyi|kujificha|versteck\w*|nascost\w*|pr[yj]ach\w*|khova\w*|hovaiu\w*|"
    r"chhup\w*|chhip\w*|chup ke|"  # hi, ur in Latin letters
    r"lukeko|luki ?rakheko|sembunyi|"  # ne, id
    r"m(?:t|s)?kh?ab(?:i|ya|ia)|mtkhbi|mestkhbi|m5bi|mt5bya)\b|躲|숨어|ซ่อน|مختبئ\w*|छिप"),
    # Someone badly ill or hurt (with no care: the other cues say so): a medical emergency now.
    ("medical",
     r"\b(?:vomit\w*|vomissements?|saigne\w*|inconscient\w*|évanoui\w*|ne respire (?:pas|plus)|"  # fr
     r"forte fièvre|fièvre très forte|"
     r"vomi san|senyen|endispoze|pa ka respire|gwo lafyèv|"  # ht
     r"sangrando|desmai\w*|não (?:consegue )?respira\w*|febre alta|"  # pt
     r"nôn ra máu|chảy máu|bất tỉnh|ngất xỉu|sốt cao|không thở được|"  # vi
     r"nagsusuka|dumudugo|nawalan ng malay|hinimatay|mataas na lagnat|hindi makahinga|"  # tl
     r"рвота|рвёт|кровь|кровотечени\w*|без сознания|потерял\w* сознание|не может дышать|"  # ru
     r"блює|блювота|кровотеча|без свідомості|не може дихати|"  # uk
     r"rvota|krovotechenie|bez soznaniya|bez svidomosti|"  # ru, uk in Latin letters
     r"wymiotuje|krwawi\w*|nieprzytomn\w*|wysoka gorączka|"  # pl
     r"varsă sânge|sângerează|inconștient\w*|febră mare|"  # ro
     r"muntah(?: darah)?|berdarah|pingsan|tidak sadar(?:kan diri)?|demam tinggi|sesak napas|"  # id
     r"anatapika damu|kutapika|anavuja damu|amezimia|homa kali|"  # sw
     r"erbricht|blutet|bewusstlos|hohes fieber|"  # de
     r"sviene\w*|svenut\w*|privo di sensi|febbre alta|"  # it
     r"khoon (?:ki )?ulti|khoon beh|behosh|tez bukhar|saans nahi|"  # hi, ur in Latin letters
     r"ragat (?:bagyo|baghyo|aayo)|behos)\b"  # ne
     r"|吐血|呕吐|嘔吐|流血|昏迷|晕倒|暈倒|发高烧|發高燒|피를 토|토하|의식이 없|기절|고열|"
     r"อาเจียน|เลือดออก|หมดสติ|ไข้สูง|"
     r"يتقيأ|نزيف|فاقد الوعي|مغمى عليه|उल्टी|बेहोश|तेज बुखार"),
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
     r"|в безопасности|у безпеці|в безпеці|很安全|安全了|现在安全|現在安全|بأمان|안전해|안전합니다"),
    # The one in control comes back within hours: "il revient dans quinze minutes", "vernetsya v 7".
    ("returns_soon",
     r"\b(?:(?:il|elle|ils|le patron|la patronne) (?:revien\w*|rentre\w*|va revenir|vont revenir)|"
     r"revient (?:me|la|le|nous|les) chercher)\s+(?:\w+\s+){0,3}?(?:dans|à|a|vers|ce soir|cette nuit|"
     r"tout à l'heure|bientôt|demain matin)\b|"  # fr
     r"\b(?:li|yo) (?:tounen|ap tounen|pral tounen)\s+(?:\w+\s+){0,3}?(?:a|aswè a|nan|jodi a)\b|"  # ht
     r"\b(?:ele|ela|eles|o patrão|a patroa) (?:volta|vai voltar|voltará|chega)\s+(?:\w+\s+){0,3}?"
     r"(?:às|as|em|daqui|hoje|esta noite|logo)\b|"  # pt
     r"\b(?:sẽ )?quay (?:lại|về)\s+(?:\w+\s+){0,3}?(?:lúc|tối nay|trong|sau)\b|"  # vi
     r"\bbabalik\s+(?:\w+\s+){0,3}?(?:mamaya|ngayong|sa loob ng|ng alas|alas)\b|"  # tl
     r"\b(?:vern[eё]ts[iy]a|vernyots[iy]a|povernet'?s[iy]a|povernet'?tsia|pryide|pridet)\s+(?:\w+\s+){0,2}?"
     r"(?:cherez|v|o|segodn\w*|s'?ohodni|vvecheri|vecherom)\b|"  # ru, uk in Latin letters
     r"(?:вернётся|вернется|придёт|придет|повернеться|прийде)\s+(?:\S+\s+){0,2}?"
     r"(?:через|за|в|о|сегодня|сьогодні|вечером|ввечері)(?!\w)|"  # ru, uk
     r"\b(?:bt|by|t|y)[ie]?rja3\s+(?:\w+\s+){0,2}?(?:ba3d|el ?lila|el ?leila|bokra|3ala)\b|"  # ar, Latin
     r"\bwróci\s+(?:\w+\s+){0,2}?(?:za|o|dziś|wieczorem)\b|\b(?:se întoarce|revine)\s+(?:\w+\s+){0,2}?"
     r"(?:la|în|diseară|deseară)\b|"  # pl, ro
     r"\b(?:akan )?(?:kembali|pulang)\s+(?:\w+\s+){0,2}?(?:jam|nanti|malam ini|sebentar|dalam)\b|"  # id
     r"\b(?:atarudi|anarudi)\s+(?:\w+\s+){0,2}?(?:saa|usiku|leo|jioni)\b|"  # sw
     r"\bwapas (?:aa|aay|aaeg|aayeg|aaega|aayega|aate)\w*\s+(?:\w+\s+){0,2}?"
     r"(?:raat|shaam|baje|ghante|abhi)\b|"  # hi, ur in Latin letters
     r"\b(?:aaja|aaj|beluka|belukha|raati) (?:\w+ ){0,2}?(?:malik|sahu|sahuji) (?:aauchha|aaunchha|"
     r"aaunchhan|farkinchha)\b"),  # ne
))
# Children someone is paid to look after: a nanny's or a maid's charges, not a child at risk
# ("je garde les enfants", "m okipe timoun yo", "cuido das crianças", "看孩子", "照顾孩子").
_CARE_BEFORE: Final = re.compile(
    r"(?:\b(?:gard\w*|m'occup\w*|s'occup\w*|okipe|gade|cuid\w*|tomo conta|tomar conta|alaga\w*|"
    r"nag-aalaga|trông|chăm sóc|присматрива\w*|смотр\w* за|нян\w*|kulea|kutunza|ninatunza|nalea|"
    r"babysit\w*|nanny)(?:\s+\S+){0,3}\s+|(?:看|照顾|照顧|带|帶|接送)\S{0,4})$", _I)
# Harm said not to happen ("hindi po ako sinasaktan", "он меня не бьёт", "il ne me frappe pas"): a
# negation in the few words before a cue of harm or a weapon takes the cue back.
_NEGATED_KINDS: Final = frozenset({"kill_or_hurt", "weapon", "medical", "safe"})
_NEGATION_BEFORE: Final = re.compile(
    r"(?<![^\W\d_])(?:hindi|di|not|never|pas|jamais|personne|nunca|não|nao|ninguém|ninguem|nadie|nahi|nahin|"
    r"nie|nikt|ne|не|ні|никто|nikto|ніхто|không|chưa|bu|mei|hakuna|hajan\w*|walang|wala)"
    r"(?:\s+[^\W\d_]+){0,3}\s+$", _I)
_STRONG_KINDS: Final = frozenset({"confined", "weapon", "kill_or_hurt", "hiding", "moved_or_sold", "no_food",
                                  "medical", "returns_soon"})


@dataclass(frozen=True, slots=True)
class Cue:
    kind: str  # "age", "child", or a danger kind
    start: int
    end: int
    age: int | None = None


def cues(text: str) -> list[Cue]:
    """Every cue in ``text``, in order of kind."""
    found = [Cue("age", m.start(), m.end(),
                 None if _arabizi(text, m) else _age(m.group("n") or m.group("m") or ""))
             for m in _AGE.finditer(text)]
    found += [Cue("age", m.start(), m.end(), _cjk_teen(m.group())) for m in _CJK_TEEN.finditer(text)]
    found += [Cue("age", m.start(), m.end(), 15) for m in _KO_TEEN.finditer(text)]
    found += [Cue("age", m.start(), m.end(), _WORD_TEENS[m.group("w").lower()])
              for m in _WORD_TEEN.finditer(text)]
    found += [Cue("child", m.start(), m.end()) for m in CHILD.finditer(text)
              if not _CARE_BEFORE.search(text, max(0, m.start() - 40), m.start())]
    for kind, pattern in DANGER:
        found += [Cue(kind, m.start(), m.end()) for m in pattern.finditer(text)
                  if kind not in _NEGATED_KINDS
                  or not _NEGATION_BEFORE.search(text, max(0, m.start() - 30), m.start())]
    return found


def minor_cues(found: list[Cue]) -> list[Cue]:
    return [c for c in found if (c.kind == "age" and c.age is not None and c.age < 18) or c.kind == "child"]


def danger_cues(found: list[Cue]) -> list[Cue]:
    """Cues of danger now: two kinds together, at least one of them a strong one (not help and now alone)."""
    kinds = {c.kind for c in found if c.kind not in ("age", "child")}
    if "safe" in kinds:
        return []
    if len(kinds) >= 2 and kinds & _STRONG_KINDS:
        return [c for c in found if c.kind in kinds]
    return []


def _arabizi(text: str, match: re.Match[str]) -> bool:
    """Arabic typed in Latin letters writes some letters as digits: "3an" is "about", "3anni" "from
    me", not an age of 3 in French or Italian. One such digit glued to its word is no age."""
    digits = match.group("n")
    return (digits is not None and len(digits) == 1 and digits in "235679"
            and match.end("n") < len(text) and text[match.end("n")].isalpha())


def _age(digits: str) -> int | None:
    try:
        value = int("".join(str(int(ch)) for ch in digits))  # int() reads every Unicode decimal digit
    except ValueError:
        return None
    return value if 1 <= value <= 99 else None


def _cjk_teen(match: str) -> int:
    units = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    number = match[:-1]
    if number == "十":
        return 10
    if number.startswith("十"):
        return 10 + units[number[1]]
    return units[number]
