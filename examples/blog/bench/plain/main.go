// Command plain is the load benchmark's baseline: an Echo handler that
// writes, from memory, the bytes the blog serves for one page (headers
// included), so that the framework's cache can be compared with the
// fastest thing that could serve them. With --gzip it asks for the page
// gzip'd and serves those bytes, as the blog does to clients that accept
// gzip.
//
//	plain --addr 127.0.0.1:3100 --from http://127.0.0.1:3000/blog/1 [--gzip]
package main

import (
	"flag"
	"io"
	"log"
	"net/http"

	"github.com/labstack/echo/v4"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:3100", "listen address")
	from := flag.String("from", "", "URL of the page whose bytes to serve")
	gzip := flag.Bool("gzip", false, "serve the page's gzip'd bytes")
	flag.Parse()
	req, err := http.NewRequest(http.MethodGet, *from, nil)
	if err != nil {
		log.Fatal(err)
	}
	if *gzip {
		// Set by hand, the client leaves the body compressed.
		req.Header.Set("Accept-Encoding", "gzip")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		log.Fatal(err)
	}
	// Every header the blog sent (its Content-Security-Policy and security
	// headers are a third of a gzip'd post's bytes), but the two net/http
	// writes itself.
	header := res.Header.Clone()
	header.Del("Date")
	header.Del("Content-Length")
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/*", func(c echo.Context) error {
		h := c.Response().Header()
		for k, v := range header {
			h[k] = v
		}
		return c.Blob(http.StatusOK, header.Get("Content-Type"), body)
	})
	log.Fatal(http.ListenAndServe(*addr, e))
}
