// Small behaviours on top of pages that work without JavaScript (htmx is optional too).
"use strict";

// The cited passage of the reader: its top at 40% of the window, below the sticky title and page
// navigation (CSS scroll-margin does the same for a plain #hl link, without JavaScript).
function showMark(mark) {
  const top = mark.getBoundingClientRect().top + window.scrollY - window.innerHeight * 0.4;
  window.scrollTo({ top: Math.max(0, top), behavior: "instant" });
  mark.focus({ preventScroll: true });
}

function settle() {
  const mark = document.getElementById("hl");
  if (mark) {
    showMark(mark);
    return;
  }
  // a new answer: bring it into view and put the cursor back in the question box for a follow-up
  const latest = document.getElementById("latest");
  if (latest) {
    latest.scrollIntoView({ block: "start" });
  }
  const box = document.querySelector("[data-focus]");
  if (box) {
    box.focus({ preventScroll: true });
  }
}

// A new answer, read out by screen readers: the region is replaced by the swap, so its text is copied
// into a live region that stays in the page (its words, in the page's language, from its data attributes).
function announce() {
  const region = document.getElementById("announce");
  const answer = document.querySelector("#latest .answer");
  if (region && answer) {
    const cites = document.querySelectorAll("#latest .citations li").length;
    const words = region.dataset;
    region.textContent = "";
    window.setTimeout(() => {
      region.textContent = (words.newAnswer || "New answer.") + " " +
        answer.innerText.replace(/\[\d+\]/g, "").trim() + (cites ? " " + cites + " " + (words.sources || "sources.") : "");
    }, 100);
  }
}

// After an upload or the rates form: the result's heading, or the error, takes the focus.
function focusResult() {
  const target = document.querySelector("#profile-main [data-autofocus]");
  if (target) {
    target.focus();
  }
}

document.addEventListener("DOMContentLoaded", settle);

// While an answer is composed, show the question where the answer will appear.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!form.classList || !form.classList.contains("ask")) {
    return;
  }
  const pending = document.querySelector("[data-pending-question]");
  const button = event.submitter;
  const text = button && button.name === "example" ? button.value : form.elements.question.value;
  if (pending) {
    pending.textContent = text.trim();
  }
}, true);

document.addEventListener("htmx:afterSettle", (event) => {
  // only swaps that replace a region the reader, the chat or the profile owns; a filter swap keeps its place
  const target = event.detail.target;
  const id = target && target.id;
  if (id === "reader") {
    const reader = document.getElementById("reader");
    if (reader && reader.dataset.title) {
      document.title = reader.dataset.title;  // the tab names the page shown
    }
    settle();
  } else if (id === "conversation") {
    settle();
    announce();
  } else if (id === "profile-main") {
    focusResult();
  } else if (id === "practices") {
    keepChoices();
  }
});

// The language switch sends the browser back to the address it shows, which htmx may have changed since
// the page was served (a new conversation, other filters); without JavaScript the served address is used.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.classList && form.classList.contains("lang-switch") && form.elements.next) {
    form.elements.next.value = window.location.pathname + window.location.search;
  }
}, true);

// A form that destroys something asks first (without JavaScript it submits at once).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// The filters' choices come back out of band with the results; options moved into a select by the swap
// lose which one the server marked, so the select is set to it again.
function keepChoices() {
  document.querySelectorAll("form.filters select").forEach((select) => {
    const chosen = select.querySelector("option[selected]");
    select.value = chosen ? chosen.value : "";
  });
}

// Escape hides the citation preview under the pointer or the focus; another citation shows its own again.
let dismissed = null;
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    const focused = document.activeElement && document.activeElement.closest(".cite-wrap");
    dismissed = document.querySelector(".cite-wrap:hover") || focused;
    document.body.classList.add("tips-off");
  }
});
function tipsBack(event) {
  const wrap = event.target.closest && event.target.closest(".cite-wrap");
  if (wrap && wrap !== dismissed) {
    document.body.classList.remove("tips-off");
    dismissed = null;
  }
}
document.addEventListener("pointerover", tipsBack);
document.addEventListener("focusin", tipsBack);

// A pasted text longer than the box takes is cut by the browser without a word: say so, under the box.
document.addEventListener("paste", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || !box.dataset.cut || box.maxLength < 0) {
    return;
  }
  const pasted = (event.clipboardData || window.clipboardData).getData("text");
  const kept = box.value.length - (box.selectionEnd - box.selectionStart);
  const hint = document.getElementById(box.getAttribute("aria-describedby").split(" ")[0]);
  if (hint && kept + pasted.length > box.maxLength) {
    hint.textContent = box.dataset.cut;
    hint.classList.add("warning");
  }
});
