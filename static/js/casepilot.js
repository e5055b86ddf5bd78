// CasePilot: send the question with fetch and show the answer as the server streams it
// (NDJSON lines: progress, notice, text paragraphs, then "done" with sources and codes).
// Without JavaScript the form posts normally and the server returns the whole answer page.
// Every form on the page works the same way (the CasePilot page, the box on a code page): the
// answer goes to the [data-casepilot-output] of the form's own [data-casepilot] container, and
// every [data-casepilot-count] counter shows the questions left once an answer arrives.
(function () {
  "use strict";
  if (!window.fetch || !window.ReadableStream || !window.TextDecoder) return;
  document.querySelectorAll("[data-casepilot-form]").forEach(function (form) {
    var root = form.closest("[data-casepilot]") || document;
    var output = root.querySelector("[data-casepilot-output]");
    if (output) setup(form, output);
  });

  function setup(form, output) {
  var textarea = form.querySelector("textarea, input[name=question]");
  var button = form.querySelector("button[type=submit]");

  document.querySelectorAll("[data-example]").forEach(function (example) {
    example.addEventListener("click", function () {
      textarea.value = example.textContent.trim();
      textarea.focus();
    });
  });

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function paragraphs(container, text) {
    text.split(/\n{2,}/).forEach(function (chunk) { container.appendChild(el("p", {}, chunk)); });
  }

  function list(title, items, render, attr) {
    var fragment = document.createDocumentFragment();
    if (!items.length) return fragment;
    fragment.appendChild(el("h3", {}, title));
    var ul = el("ul", attr);
    items.forEach(function (item) { var li = el("li"); li.appendChild(render(item)); ul.appendChild(li); });
    fragment.appendChild(ul);
    return fragment;
  }

  function finish(article, data, form) {
    article.appendChild(list("Sources", data.citations, function (c) {
      return el("a", { href: c.url }, c.title);
    }, { "class": "casepilot-citations", "data-answer-citations": "" }));
    article.appendChild(list("Codes in this answer", data.codes, function (c) {
      var a = el("a", { href: c.url });
      a.appendChild(el("span", { "class": "badge" }, c.system.toUpperCase()));
      a.appendChild(document.createTextNode(" " + c.code));
      return a;
    }, { "class": "code-list casepilot-codes", "data-answer-codes": "" }));
    var meta = el("p", { "class": "casepilot-answer__meta muted" });
    meta.appendChild(el("a", { href: data.permalink }, "Permalink"));
    meta.appendChild(document.createTextNode(": only you can open it until you share it from there"));
    article.appendChild(meta);
    var rate = el("form", { method: "post", action: data.rate_url, "class": "casepilot-rate" });
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    if (token) rate.appendChild(el("input", { type: "hidden", name: "csrfmiddlewaretoken", value: token.value }));
    rate.appendChild(el("span", {}, "Was this answer helpful?"));
    [["1", "Yes"], ["-1", "No"]].forEach(function (pair) {
      rate.appendChild(el("button", { "class": "button button--small button--secondary", type: "submit", name: "rating", value: pair[0] }, pair[1]));
    });
    article.appendChild(rate);
  }

  form.addEventListener("submit", function (event) {
    if (!textarea.value.trim()) return;
    event.preventDefault();
    button.disabled = true;
    output.innerHTML = "";
    var progress = el("p", { "class": "casepilot-progress", role: "status" }, "Sending your question…");
    output.appendChild(progress);
    var article = el("article", { "class": "panel casepilot-answer", "aria-labelledby": "answer-heading" });
    article.appendChild(el("h2", { id: "answer-heading" }, "Answer"));
    var body = el("div", { "class": "casepilot-answer__text", "data-answer-text": "" });
    article.appendChild(body);
    var shown = false;

    fetch(form.action, { method: "POST", body: new FormData(form), headers: { "X-CasePilot-Stream": "1" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) {
          return response.json().catch(function () { return {}; }).then(function (data) {
            throw new Error(data.error || "CasePilot could not answer (error " + response.status + ").");
          });
        }
        var reader = response.body.getReader();
        var decoder = new TextDecoder();
        var buffer = "";
        function handle(line) {
          if (!line.trim()) return;
          var message = JSON.parse(line);
          if (message.type === "progress") {
            progress.textContent = message.text;
          } else if (message.type === "notice") {
            output.insertBefore(el("div", { "class": "notice", role: "status" }, message.text), progress);
          } else if (message.type === "text") {
            if (!shown) { output.appendChild(article); shown = true; }
            paragraphs(body, message.text);
          } else if (message.type === "done") {
            if (!shown) { output.appendChild(article); shown = true; }
            if (!body.childNodes.length) paragraphs(body, message.answer);
            progress.remove();
            finish(article, message, form);
            if (message.remaining !== undefined) {
              document.querySelectorAll("[data-casepilot-count]").forEach(function (counter) {
                counter.textContent = message.remaining;
              });
              document.querySelectorAll("[data-casepilot-left]").forEach(function (line) { line.hidden = false; });
            }
          }
        }
        function pump() {
          return reader.read().then(function (chunk) {
            if (chunk.done) { handle(buffer); return; }
            buffer += decoder.decode(chunk.value, { stream: true });
            var lines = buffer.split("\n");
            buffer = lines.pop();
            lines.forEach(handle);
            return pump();
          });
        }
        return pump();
      })
      .catch(function (error) {
        progress.remove();
        output.appendChild(el("div", { "class": "notice notice--danger", role: "alert" }, error.message));
      })
      .finally(function () { button.disabled = false; });
  });
  }
})();
