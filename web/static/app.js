// Small behaviours on top of pages that work without JavaScript (htmx is optional too).
"use strict";

function settle() {
  // the cited passage of the reader: centre it rather than leave it at the top edge
  const mark = document.getElementById("hl");
  if (mark) {
    mark.scrollIntoView({ block: "center" });
    mark.focus({ preventScroll: true });
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
  // only swaps that replace a region the reader or the chat owns; a filter swap keeps its place
  const id = event.detail.target && event.detail.target.id;
  if (id === "reader" || id === "conversation") {
    settle();
  }
});

// A form that destroys something asks first (without JavaScript it submits at once).
document.addEventListener("submit", (event) => {
  const question = event.target.dataset && event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
