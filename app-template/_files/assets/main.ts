// Marks the header's link to the page being shown. Each top-level .ts,
// .js and .css file of assets/ is bundled by framework build; a layout
// links it with framework.Asset("main.ts").
for (const link of document.querySelectorAll<HTMLAnchorElement>("header nav a")) {
  if (link.pathname === location.pathname || location.pathname.startsWith(link.pathname + "/")) {
    link.setAttribute("aria-current", "page");
  }
}
