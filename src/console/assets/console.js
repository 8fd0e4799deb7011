// Copy buttons: the only script of the console (served from here, never inline, so the CSP forbids any other).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.getAttribute("data-copy"));
  navigator.clipboard.writeText(source.textContent.trim()).then(() => {
    button.textContent = button.getAttribute("data-copied");
  });
});
