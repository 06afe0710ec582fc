/* The printable "summary for my GP" page. A short-lived, read-only link token
   (never the conversation id) comes in the address's fragment (#...), which
   browsers never send to a server, and the summary is fetched with it.
   Everything is put on the page as text. */
(function () {
  "use strict";

  function byId(id) { return document.getElementById(id); }

  function fillList(list, items, render) {
    list.textContent = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      render(li, item);
      list.appendChild(li);
    });
  }

  function textLine(parent, text, className) {
    var span = document.createElement("span");
    span.textContent = text;
    if (className) span.className = className;
    parent.appendChild(span);
  }

  function contactLine(li, contact) {
    textLine(li, contact.name, "name");
    var details = [contact.phone && "Phone " + contact.phone, contact.email, contact.website].filter(Boolean);
    if (details.length) textLine(li, " - " + details.join(", "));
  }

  function show(data) {
    var none = "Not discussed";
    byId("summary-regions").textContent = data.regions.length ? data.regions.join(", ") : none;
    byId("summary-symptoms").textContent = data.symptoms.length ? data.symptoms.join(", ") : none;
    if (data.types.length) {
      fillList(byId("summary-types"), data.types, function (li, type) {
        textLine(li, type.name, "name");
        textLine(li, ": " + type.summary);
      });
    } else {
      fillList(byId("summary-types"), [none], function (li, text) { li.textContent = text; });
    }
    if (data.contacts.length) {
      fillList(byId("summary-contacts"), data.contacts, contactLine);
    } else {
      fillList(byId("summary-contacts"), ["None in this chat"], function (li, text) { li.textContent = text; });
    }
    byId("summary-disclaimer").textContent = data.disclaimer;
    byId("summary-body").hidden = false;
    byId("summary-status").textContent = data.discussed_symptoms
      ? ""
      : "We have not talked about symptoms yet.";
  }

  function fail(message) {
    byId("summary-status").textContent = message;
  }

  document.addEventListener("DOMContentLoaded", function () {
    byId("summary-date").textContent = new Date().toLocaleDateString("en-GB", {
      day: "numeric", month: "long", year: "numeric"
    });
    byId("summary-print").addEventListener("click", function () { window.print(); });
    var link = "";
    try { link = decodeURIComponent(location.hash.slice(1)); } catch (e) { link = ""; }
    if (!link) {
      fail("Open this page from the chat window's \"Summary for my GP\" button.");
      return;
    }
    fetch("/api/summary", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ link: link })
    }).then(function (response) {
      if (response.status === 404 || response.status === 403) throw new Error("expired");
      if (!response.ok) throw new Error(String(response.status));
      return response.json();
    }).then(show).catch(function (e) {
      fail(e.message === "expired"
        ? "This summary link has expired. Open the summary again from the chat window's \"Summary for my GP\" button."
        : "Sorry, the summary could not be loaded. Please try again in a moment.");
    });
  });
})();
