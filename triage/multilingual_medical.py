"""The danger-now cue of someone badly ill or hurt, in the languages the rules do not read ("forte
fièvre", "chảy máu", "без сознания"): a kind of ``triage.multilingual_danger``'s, kept apart for its
length. With no care (the other cues say so), a medical emergency now.
"""

from __future__ import annotations

from typing import Final

MEDICAL: Final = (
    r"\b(?:vomit\w*|vomissements?|saigne\w*|inconscient\w*|évanoui\w*|ne respire (?:pas|plus)|"  # fr
    r"forte fièvre|fièvre très forte|"
    r"vomi san|senyen|endispoze|pa ka respire|gwo lafyèv|"  # ht
    r"sangrando|desmai\w*|não (?:consegue )?respira\w*|febre alta|"  # pt
    r"nôn ra máu|chảy máu|bất tỉnh|ngất xỉu|sốt cao|không thở được|"  # vi
    r"nagsusuka|dumudugo|nawalan ng malay|hinimatay|mataas na lagnat|hindi makahinga|"  # tl
    r"рвота|рвёт|кровь|кровотечени\w*|без сознания|потерял\w* сознание|не может дышать|"  # ru
    r"блює|блювота|кровотеча|без свідомості|не може дихати|"  # uk
    r"rvota|krovotechenie|bez soznaniya|bez svidomosti|"  # ru, uk in Latin letters
    r"wymiotuje|krwawi\w*|nieprzytomn\w*|wysoka gorączka|gorączka (?:jest )?(?:bardzo )?wysoka|"  # pl
    r"ból w klatce piersiowej|"  # pl: chest pain
    r"varsă sânge|sângerează|inconștient\w*|febră mare|"  # ro
    r"muntah(?: darah)?|berdarah|pingsan|tidak sadar(?:kan diri)?|demam tinggi|sesak napas|"  # id
    r"anatapika damu|kutapika|anavuja damu|amezimia|homa kali|"  # sw
    r"erbricht|blutet|bewusstlos|hohes fieber|"  # de
    r"sviene\w*|svenut\w*|privo di sensi|febbre alta|"  # it
    r"khoon (?:ki )?ulti|khoon beh|behosh|tez bukhar|saans nahi|"  # hi, ur in Latin letters
    r"ragat (?:bagyo|baghyo|aayo)|behos)\b"  # ne
    r"|吐血|呕吐|嘔吐|流血|昏迷|晕倒|暈倒|发高烧|發高燒|피를 토|토하|의식이 없|기절|고열|"
    r"อาเจียน|เลือดออก|หมดสติ|ไข้สูง|"
    r"يتقيأ|نزيف|فاقد الوعي|مغمى عليه|उल्टी|बेहोश|तेज बुखार"
    r"|\b(?:v[eé]rzik|v[eé]rez\w*|eszm[eé]letlen\w*|el[aá]jult\w*)\b"  # hu
    r"|\b(?:qon ket\w*|hushsiz\w*|hushidan ket\w*)\b"  # uz
    r"|\b(?:gjakos\w*|rrjedh gjak|pa ndjenja)\b"  # sq
    r"|خونریزی|بیهوش"  # fa, prs
    r"|बेहोस|धेरै ज्वरो|ज्वरो धेरै|उच्च ज्वरो|सास फेर्न सक्दैन|रगत बगिरहेको"  # ne: unconscious, high fever
    # bn (not "রক্ত পড়ছে", bleeding: a training case says it, so it waits for a refit)
    r"|অজ্ঞান|রক্তক্ষরণ|রক্ত বমি|বমি করছে|খুব জ্বর|জ্বর খুব বেশি|প্রচণ্ড জ্বর|শ্বাস নিতে পারছে না|শ্বাস নিতে কষ্ট"
    r"|تیز بخار|بے ہوش|بےہوش|خون بہ رہا|خون نکل رہا|سانس نہیں لے"  # ur
    r"|\b(?:kan[iı]yor\w*|kanama\w*|bay[iı]ld[iı]\w*|bilinci kapal[iı]|y[uü]ksek ate[sş]\w*|"
    r"nefes alam[iı]yor\w*)\b"  # tr
    r"|血が出て|出血し|意識がな|気を失|高熱|息ができな"  # ja
    r"|இரத்தம் வருகிறது|ரத்தம் வருகிறது|மயக்கம் அடை|கடும் காய்ச்சல்"  # ta: bleeding, fainted, high fever
    r"|ເລືອດອອກ|ໝົດສະຕິ|ហូរឈាម|សន្លប់|သွေးထွက်|သတိလစ်"  # lo, km, my: bleeding, unconscious
)
