export const metadata = {
  description: "A blog whose pages are rendered once, cached, and regenerated in the background.",
};

export default function Home() {
  return (
    <section className="hero">
      <h1>The ISR Blog</h1>
      <div className="greeting">
        <p className="hello">Hello, stranger! What is your name?</p>
        <form className="name" method="post" action="/greeting">
          <input name="name" maxLength={40} placeholder="Your name" aria-label="Your name" />
          <button type="submit">Greet me</button>
        </form>
      </div>
      <p>Every page here is rendered once, served from a persistent cache as fast as a static file, and regenerated in the background when it gets old.</p>
      <p><a className="button" href="/blog">Read the posts</a></p>
    </section>
  );
}
