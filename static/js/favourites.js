// Star toggle on code pages without a page reload. The form works without this script:
// it posts and comes back to the page.
(function () {
  "use strict";
  document.querySelectorAll("form[data-favourite]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch) return;
      event.preventDefault();
      var button = form.querySelector("button");
      var state = form.querySelector("input[name=favourite]");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) {
          button.classList.toggle("is-favourite", data.favourite);
          button.querySelector(".star").textContent = data.favourite ? "\u2605" : "\u2606";
          button.querySelector(".star-label").textContent = data.favourite ? "Remove from favourites" : "Add to favourites";
          state.value = data.favourite ? "off" : "on";
          // Tell screen readers what happened: the button's new label alone is not announced.
          var status = form.querySelector("[data-favourite-status]");
          if (status) status.textContent = data.favourite ? "Added to your favourites." : "Removed from your favourites.";
        })
        .catch(function () {
          form.submit();  // fall back to the plain form post
        })
        .finally(function () {
          button.disabled = false;
        });
    });
  });
})();
