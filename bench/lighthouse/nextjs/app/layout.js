import "./globals.css";

// SITE_URL (bench/lighthouse.sh sets it at build) makes canonical URLs
// absolute, as the framework's site URL does.
export const metadata = {
  metadataBase: new URL(process.env.SITE_URL || "http://localhost:3000"),
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
