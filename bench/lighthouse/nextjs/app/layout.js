import "./globals.css";

export const metadata = {
  title: { default: "The ISR Blog", template: "%s · The ISR Blog" },
  icons: { icon: "/favicon.ico" },
};

export default function RootLayout({ children }) {
  return (
    <html lang="en">
      <body>
        <header className="site">
          <a className="brand" href="/">The ISR Blog</a>
          <nav><a href="/blog">Posts</a> <a href="/admin">Write</a></nav>
        </header>
        <main>{children}</main>
        <footer className="site">Served from an ISR cache by Next.js.</footer>
      </body>
    </html>
  );
}
