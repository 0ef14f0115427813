package admin

import (
	"os"

	"github.com/isr-go/framework/examples/blog/admin"
)

// Middleware guards every page and handler under /admin: basic auth with
// the password in $BLOG_ADMIN_PASSWORD, and CSRF tokens on its forms.
var Middleware = admin.Guard(os.Getenv("BLOG_ADMIN_PASSWORD"))
