#!/usr/bin/python3
"""Reads an iCalendar file with python3-icalendar (as Debian ships it) and
prints one line per VEVENT: UID|start|end|STATUS|SEQUENCE|TRANSP, with the
times in Europe/Paris. Used by the feed tests as an independent reader."""
import sys
from zoneinfo import ZoneInfo

import icalendar

paris = ZoneInfo("Europe/Paris")
with open(sys.argv[1], "rb") as f:
    cal = icalendar.Calendar.from_ical(f.read())
if len(sys.argv) > 2:
    print("METHOD|" + str(cal.get("METHOD", "")))
for ev in cal.walk("VEVENT"):
    start = ev.decoded("DTSTART").astimezone(paris).strftime("%Y-%m-%d %H:%M")
    end = ev.decoded("DTEND").astimezone(paris).strftime("%Y-%m-%d %H:%M")
    print("|".join([str(ev["UID"]), start, end, str(ev.get("STATUS", "")),
                    str(ev.get("SEQUENCE", "")), str(ev.get("TRANSP", ""))]))
