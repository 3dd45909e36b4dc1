"""The map's own words in English, Korean and Russian.

Names of places and features come from the facts (``name_ko``, ``label_ru``, ...);
this module holds the interface: headings, legend entries, statuses and dates.
Korean follows the project's South Korean convention (북한, 러시아); Russian uses КНДР.
"""

from __future__ import annotations

import datetime as dt

__all__ = ["LANGUAGES", "format_date", "format_month", "sentence", "translate"]

#: Languages the map can be drawn in.
LANGUAGES: tuple[str, ...] = ("en", "ko", "ru")

# English text -> (Korean, Russian). English is the key, so a missing entry falls back
# to English rather than to nothing.
_WORDS: dict[str, tuple[str, str]] = {
    # Statuses
    "planned": ("계획 중", "планируется"),
    "under construction": ("건설 중", "строится"),
    "open": ("개통", "открыт"),
    "existing": ("기존", "существует"),
    "closed": ("폐쇄", "закрыт"),
    "unknown": ("알 수 없음", "неизвестно"),
    "not yet planned": ("계획 전", "ещё не в планах"),
    # Units
    "m": ("m", "м"),
    "km": ("km", "км"),
    # The print export's graticule and north arrow
    "{angle}N": ("북위 {angle}", "{angle} с. ш."),
    "{angle}S": ("남위 {angle}", "{angle} ю. ш."),
    "{angle}E": ("동경 {angle}", "{angle} в. д."),
    "{angle}W": ("서경 {angle}", "{angle} з. д."),
    "N": ("북", "С"),
    # The print export's footer
    "Projection: {name}": ("투영법: {name}", "Проекция: {name}"),
    "Land, sea and boundaries: {credits}": (
        "육지, 바다, 경계: {credits}",
        "Суша, море и границы: {credits}",
    ),
    "Basemap {credit}": ("배경 지도 {credit}", "Подложка {credit}"),
    # Credits of the default tile providers (xyzservices' words, as the web map shows
    # them in HTML and the print export in plain text). OpenStreetMap's own Korean and
    # Russian pages credit it so.
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors': (
        '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> 기여자',
        '&copy; участники <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>',
    ),
    "© OpenStreetMap contributors": ("© OpenStreetMap 기여자", "© участники OpenStreetMap"),
    "Tiles &copy; Esri &mdash; Source: Esri, i-cubed, USDA, USGS, AEX, GeoEye, Getmapping, "
    "Aerogrid, IGN, IGP, UPR-EGP, and the GIS User Community": (
        "타일 &copy; Esri &mdash; 출처: Esri, i-cubed, USDA, USGS, AEX, GeoEye, Getmapping, "
        "Aerogrid, IGN, IGP, UPR-EGP, GIS 사용자 커뮤니티",
        "Тайлы &copy; Esri &mdash; источники: Esri, i-cubed, USDA, USGS, AEX, GeoEye, "
        "Getmapping, Aerogrid, IGN, IGP, UPR-EGP и сообщество пользователей ГИС",
    ),
    # Legend entries (bordermap.styles labels)
    "River (main channel)": ("강 (본류)", "река (основное русло)"),
    "North Korea–Russia border (on the channel)": (
        "북한-러시아 국경 (본류 중앙)",
        "граница КНДР и России (по фарватеру)",
    ),
    "Tripoint (China–North Korea–Russia)": (
        "삼국 접경점 (중국-북한-러시아)",
        "стык границ (Китай–КНДР–Россия)",
    ),
    "Rail bridge, open": ("철교, 운행 중", "железнодорожный мост, действует"),
    "Rail bridge": ("철교", "железнодорожный мост"),
    "Road bridge, planned": ("도로교, 계획 중", "автомобильный мост, планируется"),
    "Road bridge, under construction": ("도로교, 건설 중", "автомобильный мост, строится"),
    "Road bridge": ("도로교", "автомобильный мост"),
    "Road bridge, open": ("도로교, 개통", "автомобильный мост, открыт"),
    "Road bridge, closed": ("도로교, 폐쇄", "автомобильный мост, закрыт"),
    "Rail bridge, planned": ("철교, 계획 중", "железнодорожный мост, планируется"),
    "Rail bridge, under construction": ("철교, 건설 중", "железнодорожный мост, строится"),
    "Rail bridge, closed": ("철교, 폐쇄", "железнодорожный мост, закрыт"),
    "Railway station": ("기차역", "железнодорожная станция"),
    "Settlement": ("마을", "населённый пункт"),
    "River mouth": ("하구", "устье"),
    "Railway (schematic)": ("철도 (개략)", "железная дорога (схематично)"),
    "Other border bridges": ("다른 국경 다리", "другие пограничные мосты"),
    "Possible position of an approximate feature": (
        "대략적 위치의 가능 범위",
        "возможное положение приблизительного объекта",
    ),
    # Layer control
    "Tumen River": ("두만강", "река Туманная"),
    "North Korea–Russia border": ("북한-러시아 국경", "граница КНДР и России"),
    "Stations and places": ("역과 지명", "станции и места"),
    "Context: other links": ("맥락: 다른 연결로", "контекст: другие связи"),
    "Position uncertainty": ("위치 불확실성", "неопределённость положения"),
    "Street map (OpenStreetMap)": ("일반 지도 (OpenStreetMap)", "карта (OpenStreetMap)"),
    "Satellite imagery (Esri World Imagery)": (
        "위성 영상 (Esri World Imagery)",
        "спутниковые снимки (Esri World Imagery)",
    ),
    # Panels and popups
    "Legend": ("범례", "Легенда"),
    "Timeline": ("연표", "Хронология"),
    "Events": ("사건", "События"),
    "Other links": ("다른 연결", "Другие связи"),
    "Show the map as of": ("지도 기준일", "Карта на дату"),
    "As of": ("기준일", "По состоянию на"),
    "Status": ("상태", "Статус"),
    "Length as drawn": ("그려진 길이", "Длина на карте"),
    "Position": ("위치", "Положение"),
    "Approximate: within about": ("대략적: 오차 약", "Приблизительно: в пределах около"),
    "How it is drawn": ("그리는 방법", "Как нарисовано"),
    "Dates": ("날짜", "Даты"),
    "Sources": ("출처", "Источники"),
    "sources disagree": ("출처마다 다름", "источники расходятся"),
    "drawn": ("지도에 표시", "на карте"),
    "between the sourced values": ("출처 값 사이", "между значениями источников"),
    "expected": ("예정", "ожидается"),
    "Drawn at the position given by": ("다음 출처의 위치에 표시:", "Нарисовано по данным"),
    "other sources put it at": ("다른 출처의 위치", "другие источники указывают"),
    "from the drawn point": ("표시 지점에서", "от нарисованной точки"),
    "length": ("길이", "длина"),
    "expected opening": ("개통 예정", "ожидаемое открытие"),
    "downstream distance from the Friendship Bridge": (
        "우정의 다리에서 하류 방향 거리",
        "расстояние вниз по течению от Моста Дружбы",
    ),
    "new bridge length": ("새 다리 길이", "длина нового моста"),
    "old bridge length": ("옛 다리 길이", "длина старого моста"),
    "overall length with approaches": ("접속 도로 포함 전체 길이", "общая длина с подходами"),
    "width": ("폭", "ширина"),
    "distance upstream of the Friendship Bridge": (
        "우정의 다리에서 상류 방향 거리",
        "расстояние вверх по течению от Моста Дружбы",
    ),
    "where the border crosses the bridge": (
        "국경이 다리를 지나는 곳",
        "где граница пересекает мост",
    ),
    "old bridge built": ("옛 다리 건설 연도", "год постройки старого моста"),
    "new bridge finished": ("새 다리 완공", "завершение нового моста"),
    "Click a feature for its facts and sources; dashed outlines show where an "
    "approximate position may lie.": (
        "지도 요소를 누르면 사실과 출처가 나옵니다. 점선 윤곽은 대략적 위치의 가능 범위입니다.",
        "Нажмите на объект, чтобы увидеть факты и источники; пунктир показывает, где может "
        "находиться объект с приблизительным положением.",
    ),
    "and {n} more": ("외 {n}곳", "и ещё {n}"),
    "Lines drawn simplified, at most {m} m from the GeoJSON layers' full detail.": (
        "선은 단순화해 그렸으며, GeoJSON 레이어의 원래 선과 최대 {m} m 떨어져 있습니다.",
        "Линии упрощены: не дальше {m} м от полных линий слоёв GeoJSON.",
    ),
    "Descriptions and events are given in English, as most sources are.": (
        "설명과 사건은 대부분의 출처처럼 영어로 적었습니다.",
        "Описания и события приведены на английском, как в большинстве источников.",
    ),
    "Basemap unavailable (offline or the tile server did not answer): the layers are "
    "drawn without it.": (
        "배경 지도를 불러올 수 없습니다(오프라인이거나 서버 응답 없음). 레이어는 배경 없이 "
        "표시됩니다.",
        "Подложка недоступна (нет сети или сервер не ответил): слои показаны без неё.",
    ),
    "The map shows": ("지도에 표시된 것", "На карте"),
    "drawn {length} long": ("길이 {length}로 표시", "длина на карте {length}"),
    "position approximate, within {accuracy}": (
        "위치는 대략적, 오차 {accuracy} 이내",
        "положение приблизительное, в пределах {accuracy}",
    ),
    "Show the timeline": ("연표 보기", "Показать хронологию"),
    "{subject}, as of {date}": ("{subject}, {date} 기준", "{subject}, по состоянию на {date}"),
    "As of {date}": ("{date} 기준", "По состоянию на {date}"),
    "{status} since {date}": ("{date}부터 {status}", "{status} с {date}"),
    "Drawn {length} long": ("길이 {length}로 표시", "Длина на карте {length}"),
    "Position approximate, within about {distance}": (
        "위치는 대략적, 오차 약 {distance}",
        "Положение приблизительное, в пределах около {distance}",
    ),
    "; each feature's sources are listed in its GeoJSON properties.": (
        "; 각 요소의 출처는 GeoJSON 속성에 있습니다.",
        "; источники каждого объекта указаны в его свойствах GeoJSON.",
    ),
    "Land, sea and countries": ("육지, 바다, 나라", "суша, море и страны"),
    # Map labels: a bridge's length and state at a glance
    "{n} m": ("{n} m", "{n} м"),
    "{n} km": ("{n} km", "{n} км"),
    "≈{length}": ("약 {length}", "≈{length}"),
    "{status} since {month}": ("{month}부터 {status}", "{status} с {month}"),
    "opened {year}": ("{year} 개통", "открыт в {year}"),
    # Panels on small screens
    "About this map and its sources": ("이 지도와 출처", "Об этой карте и источниках"),
    "Locator map": ("위치도", "Обзорная карта"),
    "Attribution": ("저작권 표시", "Авторские права"),
    "Basemap unavailable": ("배경 지도 없음", "Подложка недоступна"),
    "Key": ("요약 범례", "Условные знаки"),
}

_RU_MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
_RU_MONTHS_NOMINATIVE = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def translate(text: str, language: str = "en", **values: object) -> str:
    """Return the interface text ``text`` in ``language``, with ``{name}`` values filled.

    Parameters
    ----------
    text : str
        The English text (the key).
    language : str
        ``"en"``, ``"ko"`` or ``"ru"``; text without a translation stays English.
    **values
        Values for ``{name}`` placeholders.

    Returns
    -------
    str
        The translated text.
    """
    if language != "en" and text in _WORDS:
        text = _WORDS[text][LANGUAGES.index(language) - 1]
    return text.format(**values) if values else text


def format_date(text: str, language: str = "en") -> str:
    """Write a date of the facts ("2025", "2025-11" or "2025-04-30") for readers.

    Parameters
    ----------
    text : str
        The date as precise as its source.
    language : str
        ``"en"`` gives "30 April 2025", ``"ko"`` "2025년 4월 30일", ``"ru"``
        "30 апреля 2025 г.".

    Returns
    -------
    str
        The date in words; text that is not such a date comes back unchanged.
    """
    parts = str(text).split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else None
        day = int(parts[2]) if len(parts) > 2 else None
        if month is not None:
            dt.date(year, month, day or 1)  # refuse impossible dates
    except (ValueError, IndexError):
        return str(text)
    if len(parts) > 3 or len(parts[0]) != 4:
        return str(text)
    if language == "ko":
        if month is None:
            return f"{year}년"
        return f"{year}년 {month}월" + (f" {day}일" if day else "")
    if language == "ru":
        if month is None:
            return f"{year} г."
        if day is None:
            return f"{_RU_MONTHS_NOMINATIVE[month - 1]} {year} г."
        return f"{day} {_RU_MONTHS[month - 1]} {year} г."
    if month is None:
        return str(year)
    return (f"{day} " if day else "") + f"{_EN_MONTHS[month - 1]} {year}"


def format_month(text: str, language: str = "en") -> str:
    """Write a date of the facts as its month and year, as said after "since".

    Parameters
    ----------
    text : str
        ``"2025-04-30"`` or ``"2025-04"``; a year alone is written as a year.
    language : str
        ``"en"`` gives "April 2025", ``"ko"`` "2025년 4월", ``"ru"`` "апреля 2025 г."
        (the genitive that follows "с").

    Returns
    -------
    str
        The month and year in words; text that is not such a date comes back unchanged.
    """
    parts = str(text).split("-")
    if len(parts) == 1:
        return format_date(text, language)
    written = format_date("-".join(parts[:2]), language)
    if written == "-".join(parts[:2]):
        return str(text)
    if language == "ru":
        month = int(parts[1])
        return f"{_RU_MONTHS[month - 1]} {int(parts[0])} г."
    return written


def sentence(text: str) -> str:
    """End ``text`` with one full stop (a Russian date already ends with "г.")."""
    return text if text.endswith(".") else text + "."
