// The blog's 100 seed posts, as examples/blog/posts seeds its database: the
// same titles, bodies and dates, one a day from 2026-01-02.
const topics = ["caching", "Go", "templates", "regeneration", "deploys", "latency", "Badger", "Redis", "routing", "testing"];

export function post(i) {
  const topic = topics[i % topics.length];
  const paragraphs = [];
  for (let p = 1; p <= 6; p++) {
    paragraphs.push(`Paragraph ${p} about ${topic}. A page that is rendered once and served from a cache many times costs almost nothing to serve; ` +
      "the trick is knowing when to render it again. Incremental Static Regeneration serves the cached page and regenerates it " +
      "in the background once its window has passed, so visitors never wait.");
  }
  const updated = new Date(Date.UTC(2026, 0, 1, 9) + i * 24 * 3600 * 1000);
  return { id: i, title: `Notes on ${topic}, part ${i}`, paragraphs, updated };
}

export const count = 100;

// newest returns the 20 newest posts, as /blog lists them.
export function newest() {
  const list = [];
  for (let i = count; i > count - 20; i--) list.push(post(i));
  return list;
}
