// Distill's only script: progressive enhancement. Every page works without it.
// - a summary line highlights its source passage in place on click or keyboard focus
// - j/k move between cards, / focuses search
// - m (read/unread), e (archive), s (star) submit the current card's or article's form
// - API docs "Try it" forms drop empty fields
(function () {
  "use strict";

  function clearMarks(root) {
    root.querySelectorAll("mark.hl").forEach(function (mark) {
      var parent = mark.parentNode;
      parent.replaceChild(document.createTextNode(mark.textContent), mark);
      parent.normalize();
    });
  }

  function markSpan(el, start, end) {
    var text = el.textContent;
    if (!(start >= 0 && end <= text.length && start < end)) return null;
    var mark = document.createElement("mark");
    mark.className = "hl";
    mark.textContent = text.slice(start, end);
    el.textContent = "";
    el.appendChild(document.createTextNode(text.slice(0, start)));
    el.appendChild(mark);
    el.appendChild(document.createTextNode(text.slice(end)));
    return mark;
  }

  function showSource(link) {
    var body = document.querySelector(".source-body");
    if (!body) return false;
    clearMarks(body);
    document.querySelectorAll(".src-line.active").forEach(function (l) { l.classList.remove("active"); });
    var first = null;
    (link.getAttribute("data-src") || "").split(";").forEach(function (part) {
      var bits = part.split(":").map(Number);
      var el = body.querySelector('[data-block="' + bits[0] + '"]');
      if (!el) return;
      var mark = markSpan(el, bits[1], bits[2]);
      first = first || mark;
    });
    if (!first) return false;
    link.classList.add("active");
    var pane = document.querySelector(".source");
    if (pane && pane.scrollHeight > pane.clientHeight + 4) {
      pane.scrollTo({ top: first.offsetTop - pane.offsetTop - pane.clientHeight / 3, behavior: "smooth" });
    } else {
      first.scrollIntoView({ block: "center", behavior: "smooth" });
    }
    return true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".src-line");
    if (link && showSource(link)) event.preventDefault();
  });
  document.addEventListener("focusin", function (event) {
    var link = event.target.closest && event.target.closest(".src-line");
    if (link) showSource(link);
  });

  function typing(target) {
    return /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName) || target.isContentEditable;
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (event.key === "/") {
      var search = document.getElementById("q") || document.getElementById("top-q");
      if (search) { event.preventDefault(); search.focus(); search.select(); }
      return;
    }
    if (event.key === "m" || event.key === "e" || event.key === "s") {
      var scope = document.querySelector("[data-card].current") || document.querySelector("[data-article]");
      var form = scope && scope.querySelector('form[data-key="' + event.key + '"]');
      if (form) { event.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.submit(); }
      return;
    }
    if (event.key !== "j" && event.key !== "k") return;
    var cards = Array.prototype.slice.call(document.querySelectorAll("[data-card]"));
    if (!cards.length) return;
    var index = cards.findIndex(function (c) { return c.classList.contains("current"); });
    index = event.key === "j" ? Math.min(cards.length - 1, index + 1) : Math.max(0, index - 1);
    cards.forEach(function (c) { c.classList.remove("current"); });
    var card = cards[index];
    card.classList.add("current");
    var link = card.querySelector("a");
    if (link) link.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest", behavior: "smooth" });
  });

  document.querySelectorAll("form.try").forEach(function (form) {
    form.addEventListener("submit", function () {
      form.querySelectorAll("input").forEach(function (input) {
        if (!input.value) input.disabled = true;
      });
    });
  });
})();
