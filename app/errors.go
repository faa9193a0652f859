package app

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"

	"magpie/backend/apperr"
)

// ErrorView is what the frontend receives for a failed call.
type ErrorView struct {
	Code    string            `json:"code"`
	Key     string            `json:"key"`
	Params  map[string]any    `json:"params,omitempty"`
	Fields  map[string]string `json:"fields,omitempty"`
	Message string            `json:"message"`
	Ref     string            `json:"ref,omitempty"`
}

// FormatError maps any error to an ErrorView. Expected errors (*apperr.Error) keep their
// key and fields; anything else is logged once with a short reference and shown as a
// generic internal error, so internal text never reaches the UI.
func FormatError(err error) ErrorView {
	if e, ok := apperr.As(err); ok {
		return ErrorView{Code: string(e.Code), Key: e.Key, Params: e.Params, Fields: e.Fields, Message: e.Error()}
	}
	if errors.Is(err, context.Canceled) {
		return ErrorView{Code: string(apperr.Canceled), Key: "errors.canceled", Message: "canceled"}
	}
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	ref := hex.EncodeToString(b)
	slog.Error("internal error", "ref", ref, "err", err)
	return ErrorView{Code: string(apperr.Internal), Key: "errors.internal", Message: "internal error (ref " + ref + ")", Ref: ref}
}

// WailsErrorFormatter adapts FormatError to options.App.ErrorFormatter.
func WailsErrorFormatter(err error) any { return FormatError(err) }
