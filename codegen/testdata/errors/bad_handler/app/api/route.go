package api

import "net/http"

func GET(w http.ResponseWriter, r *http.Request) {}
