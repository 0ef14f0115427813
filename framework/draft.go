package framework

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// Draft mode, like Next.js's draftMode(): an editor's browser carries a
// signed cookie, and every page it asks for is rendered for it alone, at
// request time, with DraftMode(ctx) true so that Load shows unpublished
// content. Nothing a draft render produces is stored or shared, and the
// cached pages other visitors get are untouched.

// DraftCookie is the name of the draft-mode cookie. A CDN in front of the
// app should pass requests carrying it to the app (bypass its cache), as
// Vercel does for Next.js's __prerender_bypass.
const DraftCookie = "__framework_draft"

// DraftModeLifetime is how long draft mode lasts once enabled: the cookie's
// Max-Age, and the expiry signed into its value, so that a copied cookie is
// worthless after it.
const DraftModeLifetime = time.Hour

// cacheBypass is the X-Framework-Cache value of a draft-mode response:
// rendered for this request, neither read from nor written to the cache.
const cacheBypass = "BYPASS"

// maxDraftCookie bounds the draft cookie's value: a longer one is not ours
// and is ignored before any work is done on it.
const maxDraftCookie = 64

type draftKey struct{}

// DraftMode reports whether ctx belongs to a draft-mode render: the request
// carried a valid draft cookie (EnableDraftMode). Load uses it to show
// unpublished content:
//
//	if !post.Published && !framework.DraftMode(ctx) {
//		return posts.Post{}, framework.ErrNotFound
//	}
//
// Pages, layouts, components and the functions they call see it, and so do
// route handlers wrapped by runtime.Handler.
func DraftMode(ctx context.Context) bool {
	draft, _ := ctx.Value(draftKey{}).(bool)
	return draft
}

// withDraftMode returns ctx in draft mode.
func withDraftMode(ctx context.Context) context.Context {
	return context.WithValue(ctx, draftKey{}, true)
}

// EnableDraftMode sets the draft cookie on the response, for
// DraftModeLifetime: the browser's next requests bypass the cache and render
// with DraftMode(ctx) true. Call it from a route handler (route.go, wrapped
// by runtime.Handler as codegen does) behind your own authentication: anyone
// holding the cookie sees what Load shows in draft mode.
//
// The cookie is HttpOnly, SameSite=Lax, Path=/, and Secure when the request
// came over TLS (directly, or through a proxy that says so with
// X-Forwarded-Proto: https). Its value is an expiry signed with
// Options.DraftSecret (HMAC-SHA256).
func EnableDraftMode(c echo.Context) error {
	a := appFrom(c.Request().Context())
	if a == nil {
		return errNoApp
	}
	a.drafts.noteRandom()
	expires := a.now().Add(DraftModeLifetime)
	c.SetCookie(draftCookie(c.Request(), a.drafts.sign(expires.Unix()), int(DraftModeLifetime/time.Second), expires))
	return nil
}

// DisableDraftMode clears the draft cookie: the browser's next requests are
// served from the cache again.
func DisableDraftMode(c echo.Context) error {
	c.SetCookie(draftCookie(c.Request(), "", -1, time.Unix(0, 0)))
	return nil
}

// draftCookie makes the draft cookie with its fixed attributes.
func draftCookie(r *http.Request, value string, maxAge int, expires time.Time) *http.Cookie {
	// Trusting X-Forwarded-Proto is safe here: a Secure flag only keeps
	// the browser from sending the cookie over plain HTTP, so a client
	// lying about it can only lose its own preview.
	secure := r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
	return &http.Cookie{
		Name:     DraftCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		Expires:  expires.UTC(),
		HttpOnly: true,
		Secure:   secure,
		SameSite: http.SameSiteLaxMode,
	}
}

// draftKeys signs and checks draft cookies.
type draftKeys struct {
	key []byte // HMAC key (Options.DraftSecret), or random
	// note logs once that key is random; nil when it is not.
	note func()
}

// newDraftKeys returns the draft keys of secret: derived from it, or random
// for this process when secret is empty.
func newDraftKeys(secret string, log *slog.Logger) draftKeys {
	d := draftKeys{key: draftSigningKey(secret)}
	if secret == "" && log != nil {
		d.note = sync.OnceFunc(func() {
			log.Warn("framework: draft mode without a secret (Options.DraftSecret, $FRAMEWORK_DRAFT_SECRET): " +
				"previews end when this process restarts and work on this instance only")
		})
	}
	return d
}

// draftSigningKey returns the HMAC key of draft cookies: derived from
// secret, or random for this process when secret is empty.
func draftSigningKey(secret string) []byte {
	if secret == "" {
		key := make([]byte, 32)
		rand.Read(key) // never fails (crypto/rand)
		return key
	}
	// A key of its own, so that the secret signs nothing else the same way.
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("framework draft mode v1"))
	return mac.Sum(nil)
}

// noteRandom logs, once, that draft cookies are signed with a random key:
// they end with the process and work on this instance only.
func (d *draftKeys) noteRandom() {
	if d.note != nil {
		d.note()
	}
}

// sign returns a draft cookie's value: the expiry in Unix seconds and its
// signature, "<expiry>.<base64url(hmac)>".
func (d *draftKeys) sign(expires int64) string {
	exp := strconv.FormatInt(expires, 10)
	return exp + "." + base64.RawURLEncoding.EncodeToString(d.mac(exp))
}

func (d *draftKeys) mac(exp string) []byte {
	mac := hmac.New(sha256.New, d.key)
	mac.Write([]byte(exp))
	return mac.Sum(nil)
}

// errBadDraft is any draft cookie value that is not valid now.
var errBadDraft = errors.New("framework: invalid draft cookie")

// check reports whether value is a draft cookie these keys signed and that
// has not expired at now. Signatures are compared in constant time.
func (d *draftKeys) check(value string, now time.Time) error {
	if len(value) > maxDraftCookie {
		return errBadDraft
	}
	exp, sig, ok := strings.Cut(value, ".")
	if !ok {
		return errBadDraft
	}
	expires, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || expires <= 0 || strconv.FormatInt(expires, 10) != exp {
		return errBadDraft
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, d.mac(exp)) {
		return errBadDraft
	}
	// A signed expiry beyond one lifetime from now was not signed by
	// this app's EnableDraftMode on this clock; refuse it too.
	if unix := now.Unix(); expires <= unix || expires > unix+int64(DraftModeLifetime/time.Second)+60 {
		return errBadDraft
	}
	return nil
}

// isDraft reports whether r carries a valid draft cookie. A request without
// cookies costs a map lookup: the hit path stays as it was.
func (a *App) isDraft(r *http.Request) bool {
	cookies := r.Header["Cookie"]
	if len(cookies) == 0 {
		return false
	}
	found := false
	for _, c := range cookies {
		if strings.Contains(c, DraftCookie) {
			found = true
			break
		}
	}
	if !found {
		return false
	}
	for _, c := range r.CookiesNamed(DraftCookie) {
		if a.drafts.check(c.Value, a.now()) == nil {
			return true
		}
	}
	return false
}

// serveDraft renders the page for this request alone, in draft mode, as a
// dynamic page is: never stored, never shared with other requests, params
// outside StaticParams rendered too (a draft is rarely among them).
func (p *page) serveDraft(c echo.Context, key string, renderFn renderFunc) error {
	req := c.Request()
	p.app.cache.debugCache(cacheBypass, key)
	e, err := p.render(withDraftMode(req.Context()), key, p.params(c), req, renderFn)
	if err != nil {
		return p.fail(c, key, cacheBypass, err, true)
	}
	return p.respond(c, key, e, cacheBypass, nil)
}
