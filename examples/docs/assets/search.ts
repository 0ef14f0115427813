// Client-side search over the build-time index that /search carries as
// JSON: every doc's title and headings. Loaded on first use, searched in
// memory, no dependencies.

interface Section {
  text: string;
  url: string;
}

interface Entry {
  title: string;
  url: string;
  sections: Section[];
}

interface Hit {
  text: string;
  doc: string;
  url: string;
  score: number;
}

let index: Promise<Entry[]> | undefined;

// load fetches /search once and reads its <script id="search-index">.
function load(): Promise<Entry[]> {
  index ??= fetch("/search")
    .then((res) => res.text())
    .then((html) => {
      const doc = new DOMParser().parseFromString(html, "text/html");
      return JSON.parse(doc.getElementById("search-index")?.textContent ?? "[]") as Entry[];
    });
  return index;
}

// search returns the titles and sections holding every word of q, titles
// and earlier matches first.
export function search(entries: Entry[], q: string, limit = 10): Hit[] {
  const words = q.toLowerCase().split(/\s+/).filter((w) => w !== "");
  if (words.length === 0) return [];
  const hits: Hit[] = [];
  const match = (text: string, doc: string, url: string, bonus: number) => {
    const t = text.toLowerCase();
    if (!words.every((w) => t.includes(w))) return;
    hits.push({ text, doc, url, score: bonus + t.indexOf(words[0]) });
  };
  for (const e of entries) {
    match(e.title, "", e.url, 0);
    for (const s of e.sections) match(s.text, e.title, s.url, 1000);
  }
  hits.sort((a, b) => a.score - b.score);
  return hits.slice(0, limit);
}

function show(list: HTMLElement, hits: Hit[]) {
  list.replaceChildren(
    ...hits.map((h) => {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = h.url;
      a.textContent = h.text;
      li.append(a);
      if (h.doc !== "") {
        const small = document.createElement("small");
        small.textContent = h.doc;
        li.append(" ", small);
      }
      return li;
    }),
  );
  list.hidden = hits.length === 0;
}

function setup() {
  const input = document.getElementById("search") as HTMLInputElement | null;
  const list = document.getElementById("search-results");
  if (!input || !list) return;
  input.addEventListener("focus", () => void load(), { once: true });
  input.addEventListener("input", async () => {
    show(list, search(await load(), input.value));
  });
  input.form?.addEventListener("submit", (ev) => {
    const first = list.querySelector("a");
    if (first) {
      ev.preventDefault();
      location.href = first.href;
    }
  });
}

setup();
