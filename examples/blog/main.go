// Command blog is the example app: the Next.js ISR guide's blog, with posts
// in SQLite and an admin to write them.
//
//	go run ./cli/framework build examples/blog && go run ./cli/framework start examples/blog
package main

import (
	"os"

	"github.com/labstack/echo/v4"

	"github.com/isr-go/framework/framework"

	"github.com/isr-go/framework/examples/blog/admin"
)

func main() {
	framework.Main(Routes(), func(e *echo.Echo, a *framework.App) {
		e.Use(admin.Guard(os.Getenv("BLOG_ADMIN_PASSWORD")))
		Register(e, a)
	})
}
