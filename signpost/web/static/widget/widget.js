/* Dystonia information chat widget.

   A website embeds it with one tag:
     <script src="https://FRONT/widget/widget.js" data-server="https://BOT" defer></script>

   Options, as data attributes on that tag:
     data-server       the Rasa server's URL (required)
     data-title        the panel's heading (default "Ask about dystonia")
     data-socket-path  socket.io path on the server (default /socket.io)
     data-offline      what to say when the server cannot be reached
     data-open="true"  open the panel when the page loads

   It talks to the server over socket.io (websocket transport), keeps the
   conversation in sessionStorage so it survives reloads and other pages of
   the same site, and renders every message as text: links are built only
   from web addresses, email addresses and phone numbers found in the text.
   The server chooses the conversation id and gives a secret with it; both are
   kept together and sent with every message, so the id alone opens nothing. */
(function () {
  "use strict";

  var script = document.currentScript;
  if (!script || window.__dystoniaSignpostWidget) return;
  window.__dystoniaSignpostWidget = true;

  var ds = script.dataset;
  var config = {
    server: (ds.server || "").replace(/\/+$/, ""),
    title: ds.title || "Ask about dystonia",
    socketPath: ds.socketPath || "/socket.io",
    offline: ds.offline || "Sorry, the chat cannot connect right now. Please try again later.",
    startOpen: ds.open === "true",
    assets: new URL(".", script.src).href,
    summary: new URL("../summary", script.src).href,
    vendor: new URL("../vendor/socket.io.min.js", script.src).href
  };
  var STATE_KEY = "dystonia-signpost.conversation";
  var PREFS_KEY = "dystonia-signpost.preferences";
  var REPLY_TIMEOUT_MS = 20000;
  var MAX_MESSAGE_CHARS = 1000;
  var GREETING = "hello";

  /* ---------- state kept across reloads ---------- */

  function readJson(storage, key) {
    try { return JSON.parse(storage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function writeJson(storage, key, value) {
    try { storage.setItem(key, JSON.stringify(value)); } catch (e) { /* storage full or blocked */ }
  }

  function freshState() {
    return { session: null, token: null, greeted: false, open: false, messages: [], helplineSeen: 0 };
  }

  var state = readJson(sessionStorage, STATE_KEY);
  if (!state || !Array.isArray(state.messages)) state = freshState();
  if (typeof state.session !== "string" || typeof state.token !== "string") { state.session = null; state.token = null; }
  var prefs = readJson(localStorage, PREFS_KEY) || { large: false };

  function save() { writeJson(sessionStorage, STATE_KEY, state); }

  /* ---------- building the DOM safely ---------- */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else if (name === "className") node.className = attrs[name];
      else if (name === "hidden") node.hidden = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  // Web addresses, email addresses, UK phone numbers and the emergency numbers.
  var LINKS = /(https?:\/\/[^\s<>"]+)|([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})|(\b0\d{2,4} ?\d{3,4} ?\d{3,4}\b|\b116 123\b|\b999\b|\b111\b)/g;

  function safeHref(url) {
    try {
      var parsed = new URL(url);
      return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : null;
    } catch (e) { return null; }
  }

  /* Append `text` to `parent` as text nodes, with links for what LINKS finds. */
  function appendLinkified(parent, text) {
    var last = 0;
    text.replace(LINKS, function (match, url, email, phone, offset) {
      var shown = match;
      var href = null;
      if (url) {
        shown = match.replace(/[.,;:!?)]+$/, "");
        href = safeHref(shown);
      } else if (email) {
        href = "mailto:" + email;
      } else if (phone) {
        href = "tel:" + phone.replace(/\s+/g, "");
      }
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      if (href) {
        var link = el("a", { href: href, text: shown });
        if (url) { link.target = "_blank"; link.rel = "noopener noreferrer"; }
        parent.appendChild(link);
      } else {
        parent.appendChild(document.createTextNode(shown));
      }
      last = offset + shown.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  /* ---------- the widget ---------- */

  var host = el("div", { id: "dystonia-signpost-widget" });
  var root = host.attachShadow({ mode: "open" });
  var stylesheet = el("link", { rel: "stylesheet", href: config.assets + "widget.css" });
  root.appendChild(stylesheet);

  var launcher = el("button", {
    type: "button", className: "sp-launcher", "aria-expanded": "false", "aria-controls": "sp-panel",
    text: config.title
  });
  var closeButton = el("button", { type: "button", className: "sp-icon", "aria-label": "Close the chat", text: "\u00d7" });
  // The tick shows the pressed state without relying on colour; aria-pressed tells a screen reader.
  var largeButton = el("button", { type: "button", className: "sp-tool sp-large-toggle", "aria-pressed": "false" }, [
    el("span", { className: "sp-tick", "aria-hidden": "true", text: "\u2713 " }), document.createTextNode("Large text")
  ]);
  var summaryButton = el("button", { type: "button", className: "sp-tool", text: "Summary for my GP" });
  var restartButton = el("button", { type: "button", className: "sp-tool sp-restart", text: "Start again" });
  /* "Start again" clears the screen, so it asks first, inside the widget: a small
     alertdialog that takes the focus (on the safe choice), keeps Tab inside itself,
     and answers Escape by keeping the conversation. */
  var confirmNo = el("button", { type: "button", className: "sp-confirm-no", text: "No, keep it" });
  var confirmYes = el("button", { type: "button", className: "sp-confirm-yes", text: "Yes, start again" });
  var confirmBox = el("div", {
    className: "sp-confirm", role: "alertdialog", "aria-modal": "true",
    "aria-labelledby": "sp-confirm-title", "aria-describedby": "sp-confirm-text", hidden: true
  }, [
    el("p", { id: "sp-confirm-title", className: "sp-confirm-title", text: "Start a new conversation?" }),
    el("p", { id: "sp-confirm-text", className: "sp-confirm-text", text: "This clears the messages on this screen." }),
    el("div", { className: "sp-confirm-actions" }, [confirmNo, confirmYes])
  ]);
  var status = el("p", { className: "sp-status", role: "status" });
  var log = el("div", {
    className: "sp-log", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": "Conversation", tabindex: "0"
  });
  var typing = el("p", { className: "sp-typing", hidden: true }, [
    el("span", { className: "sp-dots", "aria-hidden": "true", text: "\u2022 \u2022 \u2022" }),
    el("span", { className: "sp-visually-hidden", text: "The assistant is typing" })
  ]);
  var input = el("textarea", {
    id: "sp-input", rows: "2", maxlength: String(MAX_MESSAGE_CHARS), autocomplete: "off",
    placeholder: "Type your message"
  });
  var form = el("form", { className: "sp-form" }, [
    el("label", { for: "sp-input", className: "sp-visually-hidden", text: "Your message" }),
    input,
    el("button", { type: "submit", className: "sp-send", text: "Send" })
  ]);
  // "Start again" stands apart from the other two, so a shaky tap cannot hit it by mistake.
  var tools = el("div", { className: "sp-tools", role: "group", "aria-label": "Chat options" }, [
    el("div", { className: "sp-tools-main" }, [largeButton, summaryButton]), restartButton
  ]);
  var panel = el("section", {
    id: "sp-panel", className: "sp-panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "sp-title", hidden: true
  }, [
    el("div", { className: "sp-header" }, [el("h2", { id: "sp-title", text: config.title }), closeButton]),
    tools, confirmBox, log, typing, status, form
  ]);
  var frame = el("div", { className: "sp-root" }, [launcher, panel]);
  root.appendChild(frame);

  function applyPrefs() {
    frame.classList.toggle("sp-large", !!prefs.large);
    largeButton.setAttribute("aria-pressed", prefs.large ? "true" : "false");
  }

  /* Scrolling. After an answer the reader wants its first line, not its last:
     the log shows the start of the newest answer (with the question it answers
     just above, when that is short), and the reader scrolls on from there. The
     greeting is an answer to nothing, so it is shown from its top. Whether the
     scroll glides is the stylesheet's choice (scroll-behavior), which is smooth
     only when the reader has not asked for reduced motion. */
  function scrollLogTo(top, instant) {
    log.scrollTo({ top: Math.max(0, top), behavior: instant ? "instant" : "auto" });
  }

  function logPadding() { return parseFloat(getComputedStyle(log).paddingTop) || 0; }

  function showNewestAnswer(instant) {
    var bubbles = log.querySelectorAll(".sp-msg");
    var question = null;
    var answer = null;
    for (var i = bubbles.length - 1; i >= 0; i--) {
      if (bubbles[i].classList.contains("sp-user")) { question = bubbles[i]; break; }
      answer = bubbles[i];
    }
    if (!answer) { scrollLogTo(log.scrollHeight, instant); return; }  // waiting: show the question
    var target = answer;
    if (question && answer.offsetTop - question.offsetTop <= log.clientHeight / 4) target = question;
    scrollLogTo(target.offsetTop - logPadding(), instant);
  }

  function removeReplies() {
    Array.prototype.forEach.call(log.querySelectorAll(".sp-replies"), function (node) { node.remove(); });
  }

  function renderMessage(message) {
    var helpline = message.from === "helpline";
    var who = message.from === "user" ? "You" : helpline ? "Helpline" : "Assistant";
    var kind = message.from === "user" ? "user" : helpline ? "bot sp-helpline" : "bot";
    var bubble = el("div", { className: "sp-msg sp-" + kind }, [
      el("span", { className: helpline ? "sp-from" : "sp-visually-hidden", text: who + ": " })
    ]);
    appendLinkified(bubble, message.text || "");
    log.appendChild(bubble);
    if (message.replies && message.replies.length) {
      var group = el("div", { className: "sp-replies", role: "group", "aria-label": "Suggested replies" });
      message.replies.forEach(function (reply) {
        var button = el("button", { type: "button", className: "sp-reply", text: reply.title });
        button.addEventListener("click", function () { send(reply.payload, reply.title); });
        group.appendChild(button);
      });
      log.appendChild(group);
    }
  }

  function addMessage(message) {
    state.messages.push(message);
    save();
    renderMessage(message);
    showNewestAnswer(false);
  }

  function renderAll() {
    log.textContent = "";
    state.messages.forEach(renderMessage);
    showNewestAnswer(true);
  }

  /* ---------- talking to the server ---------- */

  var socket = null;
  var replyTimer = null;

  function setStatus(text) { status.textContent = text; }

  function setTyping(on) {
    typing.hidden = !on;
    clearTimeout(replyTimer);
    if (on) {
      replyTimer = setTimeout(function () {
        typing.hidden = true;
        setStatus(config.offline);
      }, REPLY_TIMEOUT_MS);
    }
  }

  function emit(text) {
    socket.emit("user_uttered", { message: text, session_id: state.session, token: state.token });
  }

  function requestSession() {
    socket.emit("session_request", {
      session_id: state.session, token: state.token, helpline_seen: state.helplineSeen || 0
    });
  }

  function greet() {
    if (state.greeted) return;
    state.greeted = true;
    save();
    setTyping(true);
    emit(GREETING);
  }

  /* After "forget me": the server has erased the conversation. Keep its last
     reply on screen, but nothing in storage, and carry on under a new id. */
  function forgetConversation() {
    var last = state.messages[state.messages.length - 1];
    var wasOpen = state.open;
    state = freshState();
    state.open = wasOpen;
    state.greeted = true;
    save();
    renderAll();
    if (last) { renderMessage(last); showNewestAnswer(true); }
    if (socket) requestSession();
  }

  function onBotMessage(data) {
    if (!data || typeof data !== "object") return;
    if (data.custom && typeof data.custom === "object") {
      if (data.custom.forgotten === true) forgetConversation();
      return;
    }
    setTyping(false);
    setStatus("");
    if (data.helpline && typeof data.helpline === "object") {  // a helpline worker's reply
      var id = data.helpline.reply_id;
      if (typeof id === "number") {
        if (id <= (state.helplineSeen || 0)) return;  // already shown
        state.helplineSeen = id;
      }
      if (typeof data.text === "string" && data.text) {
        addMessage({ from: id === undefined ? "bot" : "helpline", text: data.text, replies: [] });
      }
      return;
    }
    var replies = (data.quick_replies || data.buttons || [])
      .filter(function (r) { return r && typeof r.title === "string" && typeof r.payload === "string"; })
      .map(function (r) { return { title: r.title, payload: r.payload }; });
    if (typeof data.text === "string" && data.text) addMessage({ from: "bot", text: data.text, replies: replies });
  }

  function connect() {
    if (socket) { if (!socket.connected) socket.connect(); return; }
    if (!window.io) { loadClient(connect); return; }
    socket = window.io(config.server, { path: config.socketPath, transports: ["websocket"], reconnectionDelayMax: 10000 });
    socket.on("connect", function () {
      setStatus("");
      requestSession();
    });
    socket.on("session_confirm", function (confirmed) {
      if (!confirmed || typeof confirmed.session_id !== "string" || typeof confirmed.token !== "string") return;
      state.session = confirmed.session_id;
      state.token = confirmed.token;
      save();
      greet();
    });
    socket.on("summary_link", function (data) {
      if (!summaryWindow || !data || typeof data.link !== "string") return;
      summaryWindow.location.href = config.summary + "#" + encodeURIComponent(data.link);
      summaryWindow = null;
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("connect_error", function () { setTyping(false); setStatus(config.offline); });
    socket.on("disconnect", function () { setStatus("Reconnecting\u2026"); });
  }

  var clientLoading = false;
  function loadClient(then) {
    if (clientLoading) return;
    clientLoading = true;
    var tag = document.createElement("script");
    tag.src = config.vendor;
    tag.onload = then;
    tag.onerror = function () { setStatus(config.offline); clientLoading = false; };
    document.head.appendChild(tag);
  }

  function send(payload, shown) {
    var text = (payload || "").trim();
    if (!text) return false;
    if (!socket || !socket.connected || !state.token) {
      setStatus("Not connected yet. Your message is still in the box: please try again in a moment.");
      return false;
    }
    removeReplies();
    state.messages.forEach(function (m) { m.replies = []; });
    addMessage({ from: "user", text: (shown || text).slice(0, MAX_MESSAGE_CHARS) });
    emit(text.slice(0, MAX_MESSAGE_CHARS));
    setTyping(true);
    input.focus();
    return true;
  }

  /* ---------- opening, closing and the tools ---------- */

  function setOpen(open, moveFocus) {
    state.open = open;
    save();
    panel.hidden = !open;
    launcher.hidden = open;
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      connect();
      showNewestAnswer(true);  // the log had no size while the panel was hidden
      if (moveFocus) input.focus();
    } else {
      closeConfirm(false);
      if (moveFocus) launcher.focus();
    }
  }

  launcher.addEventListener("click", function () { setOpen(true, true); });
  closeButton.addEventListener("click", function () { setOpen(false, true); });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { event.preventDefault(); setOpen(false, true); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (send(input.value)) input.value = "";
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      if (send(input.value)) input.value = "";
    }
  });
  largeButton.addEventListener("click", function () {
    prefs.large = !prefs.large;
    writeJson(localStorage, PREFS_KEY, prefs);
    applyPrefs();
  });
  /* The summary page gets a short-lived, read-only link token, never the
     conversation's id or secret. The window opens at once (a browser allows
     that only during the click) and is pointed at the summary when the link arrives. */
  var summaryWindow = null;
  summaryButton.addEventListener("click", function () {
    if (!socket || !socket.connected || !state.token) {
      setStatus("Not connected yet. Please try again in a moment.");
      return;
    }
    summaryWindow = window.open("about:blank", "_blank");
    if (summaryWindow) summaryWindow.opener = null;
    socket.emit("summary_link_request", { session_id: state.session, token: state.token });
  });
  /* While the question is open, the rest of the panel is inert (out of reach of
     the keyboard, pointer and screen readers); the header's close stays usable. */
  function openConfirm() {
    confirmBox.hidden = false;
    [tools, log, form].forEach(function (node) { node.inert = true; });
    confirmNo.focus();
  }

  function closeConfirm(restoreFocus) {
    if (confirmBox.hidden) return;
    confirmBox.hidden = true;
    [tools, log, form].forEach(function (node) { node.inert = false; });
    if (restoreFocus) restartButton.focus();
  }

  confirmBox.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();  // keep the panel open: Escape answers "no"
      closeConfirm(true);
    } else if (event.key === "Tab") {
      var first = confirmNo, last = confirmYes, active = root.activeElement;
      if (event.shiftKey && active === first) { event.preventDefault(); last.focus(); }
      else if (!event.shiftKey && active === last) { event.preventDefault(); first.focus(); }
    }
  });
  confirmNo.addEventListener("click", function () { closeConfirm(true); });
  confirmYes.addEventListener("click", function () { closeConfirm(false); startAgain(); });
  restartButton.addEventListener("click", openConfirm);

  function startAgain() {
    var wasOpen = state.open;
    state = freshState();
    state.open = wasOpen;
    save();
    renderAll();
    setTyping(false);
    setStatus("");
    if (socket) {
      socket.disconnect();
      socket.connect();
    } else {
      connect();
    }
    input.focus();
  }

  function start() {
    document.body.appendChild(host);
    applyPrefs();
    renderAll();
    // Reopen after a reload, but leave the focus where the page puts it.
    if (state.open || config.startOpen) setOpen(true, false);
    // Until the stylesheet is in, the log has no height to scroll in: place it again then.
    stylesheet.addEventListener("load", function () { if (state.open) showNewestAnswer(true); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
