(()=>{async function o(t){try{return await navigator.clipboard.writeText(t),!0}catch{return!1}}for(let t of document.querySelectorAll("button.copy-link"))t.hidden=!1,t.addEventListener("click",async()=>{let e=await o(location.href);t.dataset.copied=e?"yes":"no",t.textContent=e?"Link copied":"Copy failed"});})();
//# sourceMappingURL=/_framework/static/copy-link.BNA3SSF4.js.map
