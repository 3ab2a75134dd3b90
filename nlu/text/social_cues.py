"""Words that say a message greets or takes leave: the evidence a greeting or goodbye needs when the intent
model was unsure.

The intent model sees greetings and goodbyes in short chat lines, so an unfamiliar message can land
there with middling confidence: "eyes puffy af every morning" was parsed as a greeting, "i'm so sleepy
but i refuse to leave" as a goodbye, "sunglasses" as a goodbye. A welcome in answer to a shop
question is a confident wrong answer, so the reply policy (nlu/text/reply_policy.py) answers an unsure
greeting or goodbye only when one of these cues is in the text. Written from the training examples
(data/nlu_*.yml), tests/nlu's dev split and CLINC150's validation greetings and goodbyes; measured on
tests/nlu's held-out split and CLINC150's test split (see tests/nlu/text/test_social_cues.py).
Pure module, Python 3.10: the Rasa channel and the gateway's tests import it.
"""

from __future__ import annotations

import re
import unicodedata

_EN_GREETING = (
    r"e?h+i+[iyae]*|hiay|h+e+y+[ao]*|h*e+l+o+|hullo|hola|howdy|yo+|sup+|wass?up|whaddup|what'?s (up|new)"
    r"|greet\w*|good\s*(morning|afternoon|aftenroon|evening|day)|^(mornin\w*|v?e+v?e+n+i+n+g+\w*)|heyo"
    r"|hiya|bonjour|konnichiwa|how( a|')?re (you|ya|things)|hows are ya|how('?s| is) it (going|hanging)"
    r"|how ya|how'?ve you been|how (have )?you been|how you (are|doing)|how are you|are you (good|ok\w*"
    r"|alright|doing)|just (got here|joined\w*)|joined|(i'?m|im) (back|here|new)|new here"
    r"|first time here|back again|(nice|good) (to )?(see|meet)|o/|wave|ehllo|ey"
)
_EN_FAREWELL = (
    r"b+y+e+|goodbye|good bye|cya|see (you|ya|u|yall|y'all)\w*|l(a|t)+e+r+|night\w*|nite|gn|goodnight"
    r"|gotta (go|run|bounce|sleep)|gtg|(have|need) to (go|leave)|must go\w*"
    r"|time (to|too+o) (go|sleep|slep)\w*|head(ing)? (out|off)|logging off|signing off|leaving\w*"
    r"|(i'?m|im+) (out|off|leaving|going to sleep|heading)|off (to bed|i go)|going to sleep"
    r"|farewel\w*|farewlel|adios|ciao|cheerio|so long|toodles"
    r"|ttyl|talk to you (later|soon)|take care|catch (you|ya)|until next time|peace out|next (time|stream)"
    r"|(nice|good|great|lovely|fun) (to )?(chat|talk|speak)\w*|nice conversation|pleasure|enjoyed"
    r"|have a (good|nice) (day|night)|bounce|out for (tonight|today)"
)
_ZH_GREETING = (
    r"[你您]好|大家好|各位好|们好|播好|早上好|下午好|晚上好|中午好|^早|主播早|嗨|哈[喽啰罗]|来了|来啦|来咯|报[到道]"
    r"|打卡|签到|好久不见|又见面|回来了|又来了|第一次来|新来|新人|在吗|来看你"
)
_ZH_FAREWELL = (
    r"拜|再见|再会|晚安|下了|下啦|下线|走了|走啦|撤了|溜了|闪了|先走|先下|下次|下回|回头见|回头再|明天见|明晚"
    r"|睡了|睡啦|睡觉|去睡|886|88|不聊了|到这|忙了|下播见|走一步"
)
# Latin cues stand between non-letters, so "hi主播" and "bye主播" count and "this" or "sunglasses" do not;
# "morning" and "evening" greet only as the first word ("morning all", not "puffy every morning").
CUES: dict[str, re.Pattern[str]] = {
    "greet": re.compile(rf"(?<![a-z])({_EN_GREETING})(?![a-z])|{_ZH_GREETING}"),
    "goodbye": re.compile(rf"(?<![a-z])({_EN_FAREWELL})(?![a-z])|{_ZH_FAREWELL}"),
}
_MENTION = re.compile(r"@\S+")


def folded_without_mentions(text: str) -> str:
    """NFKC-casefolded ``text`` with every ``@name`` blanked: a name says nothing about what is asked
    or said ("@hello_kitty" greets no one)."""
    return _MENTION.sub(" ", unicodedata.normalize("NFKC", text).casefold())


def has_cue(intent: str, text: str) -> bool:
    """Whether ``text`` says what ``intent`` (``greet`` or ``goodbye``) means; True for other intents."""
    cue = CUES.get(intent)
    if cue is None:
        return True
    return bool(cue.search(folded_without_mentions(text).strip()))
