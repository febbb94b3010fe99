// On the interview-offer page, show the times in the visitor's own time zone
// the first time they arrive (no ?tz= yet), if the browser knows it.
document.addEventListener("DOMContentLoaded", () => {
  const select = document.querySelector("select[data-auto-zone]");
  if (!select || new URLSearchParams(location.search).has("tz")) return;
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (zone && zone !== select.value && [...select.options].some((o) => o.value === zone)) {
    const url = new URL(location.href);
    url.searchParams.set("tz", zone);
    location.replace(url);
  }
});
