import Link from "next/link";
import { newest } from "../posts";

export const revalidate = 60;

export const metadata = {
  title: "Posts",
  description: "The newest posts of the ISR Blog.",
  alternates: { canonical: "/blog" },
};

const short = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", year: "numeric", timeZone: "UTC" });

export default function Posts() {
  return (
    <>
      <h1>Posts</h1>
      <ul className="posts">
        {newest().map(p => (
          <li key={p.id}>
            <Link href={`/blog/${p.id}`}>{p.title}</Link>
            <time dateTime={p.updated.toISOString().slice(0, 10)}>{short.format(p.updated)}</time>
          </li>
        ))}
      </ul>
      <nav className="pager" aria-label="Pages of posts">
        <span>Page 1 of 5</span>
        <a rel="next" href="/blog/page/2">Older posts →</a>
      </nav>
    </>
  );
}
