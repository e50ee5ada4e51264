#!/usr/bin/python3
"""Reads the .eml files of DIR (in order) with Python's email package and
prints them as JSON: to, subject (decoded), message_id, headers of interest,
the text part, the HTML part, and the text/calendar part with its METHOD,
UID and SEQUENCE read by python3-icalendar. Used by the tests as an
independent reader of what rendezvous sends."""
import email
import email.policy
import json
import os
import sys

import icalendar

out = []
directory = sys.argv[1]
for name in sorted(os.listdir(directory)):
    if not name.endswith(".eml"):
        continue
    with open(os.path.join(directory, name), "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    item = {"to": str(msg["To"]), "subject": str(msg["Subject"]),
            "message_id": str(msg["Message-ID"]),
            "list_unsubscribe": str(msg.get("List-Unsubscribe", "")),
            "text": "", "html": "", "calendar": None, "attachments": 0, "rcpt": []}
    rcpt = os.path.join(directory, name + ".rcpt")
    if os.path.exists(rcpt):
        with open(rcpt) as f:
            item["rcpt"] = [line for line in f.read().split("\n") if line]
    for part in msg.walk():
        ctype = part.get_content_type()
        if part.get_content_disposition() == "attachment":
            item["attachments"] += 1
            continue
        if ctype == "text/plain":
            item["text"] = part.get_content()
        elif ctype == "text/html":
            item["html"] = part.get_content()
        elif ctype == "text/calendar":
            cal = icalendar.Calendar.from_ical(part.get_content())
            ev = next(iter(cal.walk("VEVENT")))
            item["calendar"] = {"content_type_method": part.get_param("method"),
                                "method": str(cal.get("METHOD", "")),
                                "uid": str(ev["UID"]), "sequence": int(ev.get("SEQUENCE", 0)),
                                "status": str(ev.get("STATUS", "")),
                                "organizer": str(ev.get("ORGANIZER", "")),
                                "start": ev.decoded("DTSTART").isoformat()}
    out.append(item)
print(json.dumps(out, ensure_ascii=False))
