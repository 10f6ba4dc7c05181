"""Real voice notes for tests: espeak-ng speaks → WAV → OGG/Opus encoded with PyAV, the
format WhatsApp uses for voice messages. Needs the Debian package `espeak-ng`."""

from __future__ import annotations

import io
import subprocess

import av

from tests.fakes.system import ensure_debian_package


def require_espeak() -> str:
    """Path of espeak-ng, installed from Debian's packages when missing (as root)."""
    return ensure_debian_package("espeak-ng", "espeak-ng")


def speak_wav(text: str, *, words_per_minute: int = 160) -> bytes:
    """English speech for `text` as WAV bytes."""
    espeak = require_espeak()
    result = subprocess.run(
        [espeak, "-v", "en-us", "-s", str(words_per_minute), "--stdout", text],
        check=True,
        capture_output=True,
    )
    return result.stdout


def to_ogg_opus(wav: bytes, *, bitrate: int = 24_000) -> bytes:
    """Re-encode any audio PyAV can read to mono 48 kHz Opus in an Ogg container."""
    out_buffer = io.BytesIO()
    resampler = av.AudioResampler(format="s16", layout="mono", rate=48_000)
    with av.open(io.BytesIO(wav)) as source, av.open(out_buffer, "w", format="ogg") as sink:
        stream = sink.add_stream("libopus", rate=48_000, layout="mono")
        stream.bit_rate = bitrate
        for frame in source.decode(audio=0):
            for resampled in resampler.resample(frame):
                sink.mux(stream.encode(resampled))
        for resampled in resampler.resample(None):
            sink.mux(stream.encode(resampled))
        sink.mux(stream.encode(None))
    return out_buffer.getvalue()


def voice_note(text: str) -> bytes:
    return to_ogg_opus(speak_wav(text))
