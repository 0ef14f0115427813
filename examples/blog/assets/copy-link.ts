// A "Copy link" button on each post: hidden in the HTML, shown once this
// script runs, so that a visitor without JavaScript never sees a dead
// button.
import { copyText } from "./lib/clipboard";

for (const button of document.querySelectorAll<HTMLButtonElement>("button.copy-link")) {
  button.hidden = false;
  button.addEventListener("click", async () => {
    const ok = await copyText(location.href);
    button.dataset.copied = ok ? "yes" : "no";
    button.textContent = ok ? "Link copied" : "Copy failed";
  });
}
