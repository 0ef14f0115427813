import { greet } from "./lib/greet";

const button: HTMLButtonElement | null = document.querySelector("button.greet");
button?.addEventListener("click", () => {
  button.textContent = greet("full");
});
