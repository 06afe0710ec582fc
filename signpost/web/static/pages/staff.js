/* The helpline console: a triage card that follows what the staff member types,
   and the queue of conversations waiting for a person. Text only, never HTML. */
(function () {
  "use strict";

  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var lastCard = null;

  function byId(id) { return document.getElementById(id); }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function api(method, path, body) {
    var options = { method: method, headers: { "X-CSRF-Token": csrf }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(path, options).then(function (response) {
      if (response.status === 401) { location.href = "/staff/login"; throw new Error("signed out"); }
      return response.json().then(function (data) {
        if (!response.ok) throw new Error(data.error || String(response.status));
        return data;
      });
    });
  }

  function labels(items) {
    return items.length ? items.map(function (i) { return i.label; }).join(", ") : "None found";
  }

  function contactText(c) {
    return c.name + [c.phone && "phone " + c.phone, c.email, c.website].filter(Boolean).map(function (d) {
      return " - " + d;
    }).join("");
  }

  /* ---------- triage card ---------- */

  function showCard(card) {
    lastCard = card;
    byId("card").hidden = false;
    var flags = byId("card-flags");
    flags.textContent = "";
    card.red_flags.forEach(function (flag) {
      var box = el("div", null, "red-flag");
      box.setAttribute("role", "alert");
      box.appendChild(el("strong", "Red flag (" + flag.category + "): \u201c" + flag.matched + "\u201d"));
      box.appendChild(el("p", flag.what_to_do));
      flags.appendChild(box);
    });
    byId("card-regions").textContent = labels(card.regions);
    byId("card-symptoms").textContent = labels(card.symptoms);
    byId("card-modifiers").textContent = labels(card.modifiers);
    var list = byId("card-candidates");
    list.textContent = "";
    if (!card.candidates.length) list.appendChild(el("li", "No type matches yet: ask where and what happens."));
    card.candidates.forEach(function (c) {
      var li = el("li");
      li.appendChild(el("strong", c.name));
      li.appendChild(el("span", " because of " + c.reasons.join(", ").toLowerCase()));
      list.appendChild(li);
    });
    var contacts = byId("card-contacts");
    contacts.textContent = "";
    card.contacts.forEach(function (c) { contacts.appendChild(el("li", contactText(c))); });
    byId("card-disclaimer").textContent = card.disclaimer;
  }

  function caseNote(card, words) {
    var lines = ["Caller said: " + words.trim()];
    card.red_flags.forEach(function (f) { lines.push("RED FLAG (" + f.category + "): " + f.what_to_do); });
    lines.push("Region: " + labels(card.regions));
    lines.push("Symptoms: " + labels(card.symptoms));
    if (card.modifiers.length) lines.push("Patterns: " + labels(card.modifiers));
    lines.push("Sometimes seen in: " + (card.candidates.map(function (c) { return c.name; }).join("; ") || "none yet"));
    lines.push("Contacts given: " + card.contacts.map(contactText).join("; "));
    lines.push("Not a diagnosis: " + card.disclaimer);
    return lines.join("\n");
  }

  var timer = null;
  var latestRequest = 0;
  function onType() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var words = byId("caller-words").value;
      if (!words.trim()) { byId("card").hidden = true; lastCard = null; return; }
      var mine = ++latestRequest;
      api("POST", "/staff/api/triage", { text: words }).then(function (card) {
        if (mine === latestRequest) showCard(card);
      }).catch(function (e) { byId("copy-status").textContent = "Could not update the card: " + e.message; });
    }, 250);
  }

  function copyNote() {
    if (!lastCard) return;
    var note = caseNote(lastCard, byId("caller-words").value);
    var done = function () { byId("copy-status").textContent = "Case note copied."; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(note).then(done, function () { fallbackCopy(note); done(); });
    } else {
      fallbackCopy(note);
      done();
    }
  }

  function fallbackCopy(text) {
    var area = el("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }

  /* ---------- queue ---------- */

  var REASONS = { asked_for_person: "Asked for a person", red_flag: "Red flag" };
  var queuePage = 1;

  function showTranscript(log, lines) {
    log.textContent = "";
    if (!lines.length) log.appendChild(el("li", "No messages stored."));
    lines.forEach(function (line) {
      var who = line.speaker === "user" ? "Person: " : line.speaker === "helpline" ? "Helpline: " : "Assistant: ";
      log.appendChild(el("li", who + line.text, "line-" + line.speaker));
    });
  }

  function waited(since) {
    var minutes = Math.max(0, Math.round((Date.now() - since.getTime()) / 60000));
    return minutes < 60 ? minutes + " min" : Math.floor(minutes / 60) + " h " + (minutes % 60) + " min";
  }

  /* Take, reply, release and notes; while open, the transcript follows the conversation
     live (server-sent events from /staff/api/queue/{code}/events). */
  function liveView(entry) {
    var path = "/staff/api/queue/" + encodeURIComponent(entry.code);
    var details = el("details", null, "live");
    details.appendChild(el("summary", "Talk to this person"));
    var status = el("p", entry.taken_by ? "Taken by " + entry.taken_by + "." : "Nobody has taken this yet.");
    status.setAttribute("role", "status");
    var log = el("ol", null, "live-log");
    var take = el("button", "Take");
    var release = el("button", "Hand back to the assistant");
    var reply = el("textarea");
    reply.rows = 3;
    reply.maxLength = 1000;
    reply.setAttribute("aria-label", "Reply to the person");
    var send = el("button", "Send reply");
    var note = el("textarea");
    note.rows = 2;
    note.maxLength = 4000;
    note.setAttribute("aria-label", "Private case note");
    var save = el("button", "Save note");
    [take, release, send, save].forEach(function (b) { b.type = "button"; });
    function act(button, suffix, body, done) {
      button.disabled = true;
      api("POST", path + suffix, body).then(function (result) {
        button.disabled = false;
        if (done) done(result);
      }).catch(function (e) { button.disabled = false; status.textContent = e.message; });
    }
    take.addEventListener("click", function () {
      act(take, "/take", {}, function (r) { status.textContent = "Taken by " + r.taken_by + ". The person was told."; });
    });
    release.addEventListener("click", function () {
      act(release, "/release", {}, function () { status.textContent = "Handed back to the assistant."; });
    });
    send.addEventListener("click", function () {
      if (!reply.value.trim()) return;
      act(send, "/reply", { text: reply.value }, function (r) {
        reply.value = "";
        status.textContent = "Reply sent (" + r.delivered + ").";
      });
    });
    save.addEventListener("click", function () {
      if (!note.value.trim()) return;
      act(save, "/notes", { text: note.value }, function () { note.value = ""; status.textContent = "Note saved."; });
    });
    [status, log, el("label", "Reply"), reply, send, take, release, el("label", "Private note"), note, save]
      .forEach(function (node) { details.appendChild(node); });
    var source = null;
    details.addEventListener("toggle", function () {
      if (details.open && !source && window.EventSource) {
        source = new EventSource(path + "/events");
        source.onmessage = function (event) {
          var state = JSON.parse(event.data);
          showTranscript(log, state.transcript || []);
          if (state.taken_by) status.textContent = "Taken by " + state.taken_by + ".";
          if (state.red_flag) status.textContent += " Red flag: " + state.red_flag + ".";
        };
      } else if (!details.open && source) {
        source.close();
        source = null;
      }
    });
    return details;
  }

  /* A new red-flag case: a banner, and a sound if the worker turned it on. */
  var seenFlags = null;
  function alertNewRedFlags(entries) {
    var flagged = entries.filter(function (e) { return e.red_flag && !e.handled_at; }).map(function (e) { return e.code; });
    if (seenFlags === null) { seenFlags = flagged; return; }
    var fresh = flagged.filter(function (code) { return seenFlags.indexOf(code) < 0; });
    seenFlags = seenFlags.concat(fresh);
    if (!fresh.length) return;
    var banner = byId("flag-alert");
    banner.textContent = "New red flag: " + fresh.join(", ") + ". It is at the top of the queue.";
    banner.hidden = false;
    if (byId("flag-sound").checked && window.AudioContext) {
      var audio = new AudioContext();
      var tone = audio.createOscillator();
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + 0.4);
    }
  }

  /* The list carries no transcripts: one is fetched when its entry is opened. */
  function transcriptView(entry) {
    var details = el("details");
    var heading = el("summary", "Transcript");
    details.appendChild(heading);
    var log = el("ol", null, "transcript");
    details.appendChild(log);
    var loaded = false;
    function fill(lines, full) {
      loaded = true;
      if (full && full.flag_words && full.flag_words.length && !details.parentNode.querySelector(".flag-words")) {
        details.parentNode.insertBefore(el("p", "Raised by: " + full.flag_words.join("; "), "flag-words"), details);
      }
      heading.textContent = "Transcript (" + lines.length + " messages)";
      showTranscript(log, lines);
    }
    if (entry.transcript) fill(entry.transcript);
    details.addEventListener("toggle", function () {
      if (!details.open || loaded) return;
      log.textContent = "";
      log.appendChild(el("li", "Loading the transcript\u2026"));
      api("GET", "/staff/api/queue/" + encodeURIComponent(entry.code)).then(function (full) {
        fill(full.transcript || [], full);
      }).catch(function (e) {
        log.textContent = "";
        log.appendChild(el("li", "Could not load the transcript: " + e.message));
      });
    });
    return details;
  }

  function entryView(entry) {
    var box = el("article", null, "entry" + (entry.red_flag ? " entry-flag" : "") +
      (entry.suspected_automation ? " entry-automated" : ""));
    box.setAttribute("aria-label", "Conversation " + entry.code +
      (entry.suspected_automation ? " (suspected automation)" : ""));
    var head = el("h3", entry.code);
    box.appendChild(head);
    if (entry.suspected_automation) {
      box.appendChild(el("p", "Suspected automation: more requests for a person from this conversation or " +
        "address than someone would make. Check before calling back.", "automated"));
    }
    var when = new Date(entry.created_at);
    var facts = [
      REASONS[entry.reason] + (entry.red_flag ? " (" + entry.red_flag + ")" : ""),
      entry.channel_name,
      when.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" })
    ];
    facts.push("waiting " + waited(when));
    if (entry.taken_by) facts.push("taken by " + entry.taken_by);
    box.appendChild(el("p", facts.join(" \u00b7 "), "facts"));
    var s = entry.summary;
    box.appendChild(el("p", "Region: " + (s.regions.join(", ") || "not given") + ". Symptoms: " +
      (s.symptoms.join(", ") || "not given") + ". Types named: " + (s.types.join(", ") || "none") + "."));
    box.appendChild(transcriptView(entry));
    if (!entry.handled_at) box.appendChild(liveView(entry));
    if (entry.handled_at) {
      box.appendChild(el("p", "Handled by " + entry.handled_by + ".", "handled"));
      var undo = el("button", "Undo: back to the queue");
      undo.type = "button";
      undo.addEventListener("click", function () {
        api("POST", "/staff/api/queue/" + encodeURIComponent(entry.code) + "/reopen", {}).then(function () {
          byId("queue-status").textContent = entry.code + " is back in the queue.";
          loadQueue();
        }).catch(function (e) { byId("queue-status").textContent = e.message; });
      });
      box.appendChild(undo);
    } else {
      var button = el("button", "Mark handled");
      button.type = "button";
      button.addEventListener("click", function () {
        api("POST", "/staff/api/queue/" + encodeURIComponent(entry.code) + "/handled", {}).then(function () {
          byId("queue-status").textContent = entry.code + " marked handled.";
          loadQueue();
        }).catch(function (e) { byId("queue-status").textContent = e.message; });
      });
      box.appendChild(button);
    }
    return box;
  }

  function showEntries(entries) {
    var list = byId("queue-list");
    list.textContent = "";
    if (!entries.length) list.appendChild(el("p", "Nobody is waiting."));
    entries.forEach(function (e) { list.appendChild(entryView(e)); });
  }

  function showPages(data) {
    var pages = Math.max(1, Math.ceil(data.total / data.limit));
    byId("queue-pages").hidden = pages < 2;
    byId("queue-page").textContent = "Page " + data.page + " of " + pages + " (" + data.total + " waiting)";
    byId("queue-prev").disabled = data.page <= 1;
    byId("queue-next").disabled = !data.next_page;
  }

  function loadQueue() {
    var handled = byId("show-handled").checked ? "&all=1" : "";
    var day = byId("lookup-day").value ? "&day=" + encodeURIComponent(byId("lookup-day").value) : "";
    return api("GET", "/staff/api/queue?page=" + queuePage + handled + day).then(function (data) {
      if (!data.entries.length && queuePage > 1) { queuePage = 1; return loadQueue(); }
      alertNewRedFlags(data.entries);
      if (document.querySelector("#queue-list details[open]")) return;  // do not redraw under the worker
      showEntries(data.entries);
      showPages(data);
    }).catch(function (e) { byId("queue-status").textContent = "Could not load the queue: " + e.message; });
  }

  function turnPage(step) {
    queuePage = Math.max(1, queuePage + step);
    loadQueue();
  }

  function lookup(event) {
    event.preventDefault();
    var code = byId("lookup-code").value.trim();
    if (!code) { loadQueue(); return; }
    api("GET", "/staff/api/queue/" + encodeURIComponent(code)).then(function (entry) {
      byId("queue-status").textContent = "Found " + entry.code + ".";
      byId("queue-pages").hidden = true;
      showEntries([entry]);
    }).catch(function (e) { byId("queue-status").textContent = e.message; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    byId("caller-words").addEventListener("input", onType);
    byId("copy-note").addEventListener("click", copyNote);
    byId("lookup").addEventListener("submit", lookup);
    byId("queue-prev").addEventListener("click", function () { turnPage(-1); });
    byId("queue-next").addEventListener("click", function () { turnPage(1); });
    byId("show-handled").addEventListener("change", function () { queuePage = 1; loadQueue(); });
    byId("lookup-day").addEventListener("change", function () { queuePage = 1; loadQueue(); });
    loadQueue();
    setInterval(function () { if (!byId("lookup-code").value.trim()) loadQueue(); }, 15000);
  });
})();
