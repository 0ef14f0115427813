(()=>{function t(n){return`Hello, ${n}!`}var e=document.querySelector("button.greet");e?.addEventListener("click",()=>{e.textContent=t("full")});})();
//# sourceMappingURL=/_framework/static/main.UAXWPHNO.js.map
