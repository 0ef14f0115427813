// Command plain is the load benchmark's baseline: an Echo handler that
// writes, from memory, the bytes the blog serves for one page (headers
// included), so that the framework's cache can be compared with the
// fastest thing that could serve them.
//
//	plain --addr 127.0.0.1:3100 --from http://127.0.0.1:3000/blog/1
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
	flag.Parse()
	res, err := http.Get(*from)
	if err != nil {
		log.Fatal(err)
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		log.Fatal(err)
	}
	header := http.Header{}
	for _, k := range []string{"Content-Type", "Cache-Control", "Etag", "X-Framework-Cache", "Vary"} {
		if v := res.Header.Values(k); len(v) > 0 {
			header[k] = v
		}
	}
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
