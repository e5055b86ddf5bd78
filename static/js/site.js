// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // The main menu is open in the HTML (usable without JavaScript); on a phone it starts folded.
  var menu = document.querySelector(".site-menu");
  if (menu && window.matchMedia("(max-width: 900px)").matches) menu.open = false;

  // Copy-code buttons: <button data-copy="M48.56XA">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var text = button.getAttribute("data-copy");
    var done = function () {
      var label = button.textContent;
      button.textContent = "Copied";
      button.setAttribute("aria-live", "polite");
      setTimeout(function () { button.textContent = label; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  });

  function fallbackCopy(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "absolute";
    area.style.left = "-9999px";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* nothing more to try */ }
    document.body.removeChild(area);
  }
})();

// Case2Code as-you-type suggestions for the header search box (ARIA 1.2 combobox).
// Without this script the box is a plain search form; with it, typing shows the best
// codes (debounced), arrow keys move through them, Enter opens one, Escape closes the list.
(function () {
  "use strict";

  var input = document.getElementById("header-q");
  var list = document.getElementById("header-suggestions");
  var status = document.getElementById("header-suggest-status");
  if (!input || !list || !window.fetch) return;

  var url = input.getAttribute("data-suggest-url");
  var timer = null;
  var active = -1;
  var items = [];
  var lastQuery = "";
  var controller = null;

  function close() {
    list.hidden = true;
    list.innerHTML = "";
    items = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    items.forEach(function (item, i) {
      item.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", items[index].id);
      items[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function render(data) {
    list.innerHTML = "";
    items = [];
    active = -1;
    (data.results || []).forEach(function (result, i) {
      var li = document.createElement("li");
      li.id = "header-suggestion-" + i;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.setAttribute("data-url", result.url);
      var code = document.createElement("span");
      code.className = "suggestion__code";
      code.textContent = result.code;
      var system = document.createElement("span");
      system.className = "suggestion__system";
      system.textContent = result.system_label;
      var title = document.createElement("span");
      title.className = "suggestion__title";
      title.textContent = result.title || "CPT code";
      li.appendChild(code);
      li.appendChild(system);
      li.appendChild(title);
      li.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep focus in the box until we navigate
        window.location.href = result.url;
      });
      list.appendChild(li);
      items.push(li);
    });
    if (items.length) {
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      status.textContent = items.length + " suggestion" + (items.length === 1 ? "" : "s") + ", use the arrow keys to choose.";
    } else {
      close();
      status.textContent = "";
    }
  }

  function fetchSuggestions() {
    var query = input.value.trim();
    if (query === lastQuery) return;
    lastQuery = query;
    if (query.length < 2) {
      close();
      return;
    }
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    fetch(url + "?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        if (input.value.trim() === query) render(data);
      })
      .catch(function () { /* aborted or offline: the form still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(fetchSuggestions, 150);
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      if (list.hidden) { lastQuery = ""; fetchSuggestions(); return; }
      event.preventDefault();
      highlight(active + 1 >= items.length ? 0 : active + 1);
    } else if (event.key === "ArrowUp") {
      if (list.hidden) return;
      event.preventDefault();
      highlight(active <= 0 ? items.length - 1 : active - 1);
    } else if (event.key === "Enter") {
      if (!list.hidden && active >= 0) {
        event.preventDefault();
        window.location.href = items[active].getAttribute("data-url");
      }
      // otherwise: the form submits to the results page
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.preventDefault();
        close();
      }
    }
  });

  input.addEventListener("blur", function () {
    setTimeout(close, 100);
  });
})();
