// Shows every <time data-local> in the reader's own time zone and language, next to the
// Geneva time the server rendered. Without script the UTC text stays.
document.addEventListener("DOMContentLoaded", () => {
  for (const el of document.querySelectorAll("time[data-local]")) {
    const when = new Date(el.getAttribute("datetime"));
    if (!isNaN(when)) {
      el.textContent = when.toLocaleString(document.documentElement.lang, { dateStyle: "long", timeStyle: "short" });
    }
  }
});
