// Shows every <time data-local> in the reader's own time zone and language, next to the
// Geneva time the server rendered. Without script the UTC text stays.
// A <time data-deadline> holds a response deadline's exclusive end (the first late instant): it is
// written as the reader would say it ("until the end of 7 March" when it falls at local midnight,
// "until 7 March 2027, 18:00" otherwise), with the reader's time zone, and its hidden container shown.
document.addEventListener("DOMContentLoaded", () => {
  const lang = document.documentElement.lang;
  for (const el of document.querySelectorAll("time[data-local]")) {
    const when = new Date(el.getAttribute("datetime"));
    if (!isNaN(when)) {
      el.textContent = when.toLocaleString(lang, { dateStyle: "long", timeStyle: "short" });
    }
  }
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  for (const el of document.querySelectorAll("time[data-deadline]")) {
    const end = new Date(el.getAttribute("datetime"));
    if (isNaN(end)) {
      continue;
    }
    const midnight = end.getHours() === 0 && end.getMinutes() === 0 && end.getSeconds() === 0;
    const text = midnight
      ? el.dataset.endOfDay.replace("{0}", new Date(end.getTime() - 1000).toLocaleDateString(lang, { dateStyle: "long" }))
      : el.dataset.until.replace("{0}", end.toLocaleString(lang, { dateStyle: "long", timeStyle: "short" }));
    el.textContent = zone ? `${text} (${zone})` : text;
    const container = el.closest("[hidden]");
    if (container) {
      container.hidden = false;
    }
  }
});
