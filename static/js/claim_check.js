// The claim check form (templates/codes/claims/check.html): add and remove diagnosis and line rows
// in place, and suggest codes as they are typed from Case2Code's suggestion endpoint (the one the
// header box uses, in static/js/site.js). Without this script the form works as plain HTML: the
// "Add rows" button submits it for more empty rows.
(function () {
  "use strict";

  var form = document.getElementById("claim-form");
  if (!form) return;
  var suggestUrl = form.getAttribute("data-suggest-url");

  // One datalist per kind of code: ICD-10-CM for diagnoses, CPT/HCPCS for service lines.
  var lists = {};
  ["icd-10-cm", "procedure"].forEach(function (kind) {
    var list = document.createElement("datalist");
    list.id = "claim-suggest-" + kind;
    form.appendChild(list);
    lists[kind] = list;
  });

  function wants(kind, system) {
    return kind === "icd-10-cm" ? system === "icd-10-cm" : system === "cpt" || system === "hcpcs";
  }

  var timer = null;
  var controller = null;
  function suggest(input) {
    var kind = input.getAttribute("data-suggest");
    var query = input.value.trim();
    if (query.length < 2 || !window.fetch) return;
    if (controller) controller.abort();
    controller = window.AbortController ? new AbortController() : null;
    fetch(suggestUrl + "?q=" + encodeURIComponent(query), {
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined,
    })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        var list = lists[kind];
        list.innerHTML = "";
        (data.results || []).forEach(function (result) {
          if (!wants(kind, result.system)) return;
          var option = document.createElement("option");
          option.value = result.code;
          option.label = result.code + " " + (result.title || "");
          list.appendChild(option);
        });
      })
      .catch(function () { /* aborted or offline: typing still works */ });
  }

  function wire(row) {
    row.querySelectorAll("[data-suggest]").forEach(function (input) {
      input.setAttribute("list", "claim-suggest-" + input.getAttribute("data-suggest"));
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { suggest(input); }, 150);
      });
    });
    var remove = row.querySelector(".claim-remove");
    if (remove) {
      remove.hidden = false;
      remove.addEventListener("click", function () {
        var container = row.parentNode;
        if (container.children.length > 1) {
          container.removeChild(row);
        } else {
          row.querySelectorAll("input").forEach(function (input) { input.value = ""; });
        }
        renumber();
      });
    }
  }

  // Ids, labels and line numbers follow the rows' order after adding or removing one.
  function renumber() {
    form.querySelectorAll("#claim-dx [data-row]").forEach(function (row, i) {
      var input = row.querySelector("input");
      var label = row.querySelector("label");
      input.id = "dx-" + (i + 1);
      label.setAttribute("for", input.id);
      label.textContent = "Diagnosis " + (i + 1);
    });
    form.querySelectorAll("#claim-lines [data-row]").forEach(function (row, i) {
      row.querySelector(".claim-line__number").textContent = String(i + 1);
      row.querySelectorAll("input").forEach(function (input) {
        var id = input.id.replace(/-\d+$/, "-" + (i + 1));
        var label = row.querySelector('label[for="' + input.id + '"]');
        input.id = id;
        if (label) {
          label.setAttribute("for", id);
          label.textContent = label.textContent.replace(/^Line \d+/, "Line " + (i + 1));
        }
      });
    });
  }

  function add(kind) {
    var container = kind === "dx" ? form.querySelector("#claim-dx") : form.querySelector("#claim-lines tbody");
    var last = container.querySelector("[data-row]:last-child");
    var row = last.cloneNode(true);
    row.querySelectorAll("input").forEach(function (input) {
      input.value = "";
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
    });
    row.querySelectorAll(".field-error").forEach(function (error) { error.parentNode.removeChild(error); });
    container.appendChild(row);
    wire(row);
    renumber();
    row.querySelector("input").focus();
  }

  form.querySelectorAll("[data-row]").forEach(wire);
  form.querySelectorAll(".claim-add").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { add(button.getAttribute("data-add")); });
  });
  var more = form.querySelector(".claim-more");
  if (more) more.hidden = true; // rows are added in place instead
})();
