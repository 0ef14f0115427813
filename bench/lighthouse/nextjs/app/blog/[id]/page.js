import Image from "next/image";
import { notFound } from "next/navigation";
import { post, count } from "../../posts";
import cover from "../../../public/covers/lake.jpg";

export const revalidate = 60;

export function generateStaticParams() {
  return Array.from({ length: count }, (_, i) => ({ id: String(i + 1) }));
}

function find(id) {
  const n = Number(id);
  return Number.isInteger(n) && n >= 1 && n <= count ? post(n) : null;
}

export async function generateMetadata({ params }) {
  const p = find((await params).id);
  if (!p) return {};
  const body = p.paragraphs.join("\n\n");
  return {
    title: p.title,
    description: body.length > 150 ? body.slice(0, 150) + "…" : body,
    alternates: { canonical: `/blog/${p.id}` },
    openGraph: { title: p.title, type: "article" },
  };
}

const long = new Intl.DateTimeFormat("en-US", { month: "long", day: "numeric", year: "numeric", timeZone: "UTC" });

export default async function Post({ params }) {
  const p = find((await params).id);
  if (!p) notFound();
  return (
    <>
      <article className="post">
        <h1>{p.title}</h1>
        <p className="meta">
          Updated <time dateTime={p.updated.toISOString().slice(0, 10)}>{long.format(p.updated)}</time>
        </p>
        <Image src={cover} alt="Soft circles of colour over a blue-to-orange gradient"
          sizes="(max-width: 44rem) 100vw, 44rem" priority className="cover" />
        {p.paragraphs.map((text, i) => <p key={i}>{text}</p>)}
      </article>
      <p><a href="/blog">← All posts</a></p>
    </>
  );
}
