"""The danger-now cue of the one in control coming back within hours, in the languages the rules do not
read ("il revient dans quinze minutes", "vernetsya v 7"): a kind of ``triage.multilingual_danger``'s,
kept apart for its length.
"""

from __future__ import annotations

from typing import Final

RETURNS_SOON: Final = (
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
    r"aaunchhan|farkinchha)\b"
    r"|\b(?:geri (?:gelecek|d[oö]necek)\w*|adam(?:lar)?\w* (?:\w+ )?gelecek\w*)\b"  # tr
    r"|隠れて|隠れてる"  # ja
    r"|戻ってくる|戻って来る|帰ってくる|帰って来る|戻ってきます|戻って来ます|帰ってきます|帰って来ます"  # ja
    r"|隣の部屋に(?:いる|います)"  # ja: (he) is in the next room
    r"|પાછો આવે|પાછો આવશે|પાછા આવશે|ਵਾਪਸ ਆਵੇਗਾ|ਵਾਪਸ ਆ ਜਾਵੇਗਾ"  # gu, pa
    r"|կվերադառնա|(?:ժամից|րոպեից) կգա"  # hy: back in half an hour, in ten minutes
    r"|(?<!\w)(?:w[ọo]\u0301?n\s+)?ń\s+b[ọo]\u0300?(?!\w)"  # yo: (they) are coming
    r"|\b(?:vissza(?:j[öo]n|j[öo]nnek)\s+(?:\w+\s+){0,2}?(?:ma|este|[eé]jjel|holnap|reggel|\d))"
    r"|\b\d{1,2}(?:-kor|kor|-ra|-re|ra|re)\s+(?:\w+\s+)?vissza(?:j[öo]n|j[öo]nnek|[eé]r)"  # hu
    r"|\b(?:qaytib keladi|qaytadi)\b"  # uz
    r"|\b(?:(?:sonte|nes[eë]r) (?:\w+ )?(?:vjen|kthehet|do t[eë] vij[eë])|(?:vjen|kthehet|do t[eë] vij[eë]) "
    r"(?:\w+ ){0,2}?(?:sonte|nes[eë]r|n[eë] or[eë]n|pas \w+ or[eë]sh))\b"  # sq: back tonight
)
