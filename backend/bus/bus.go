// Package bus is the in-process notification bus: backend packages publish small facts
// ("contacts:changed", "job:progress"), and the app shell forwards every message to the UI
// (Wails events on the desktop, server-sent events in the browser).
package bus

import "sync"

// Message is one notification.
type Message struct {
	Topic string `json:"topic"`
	Data  any    `json:"data,omitempty"`
}

// Bus fans messages out to subscribers. Subscribers must not block.
type Bus struct {
	mu   sync.RWMutex
	subs map[int]func(Message)
	next int
}

// New returns an empty bus.
func New() *Bus { return &Bus{subs: map[int]func(Message){}} }

// Publish sends a message to every subscriber.
func (b *Bus) Publish(topic string, data any) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	for _, f := range b.subs {
		f(Message{Topic: topic, Data: data})
	}
}

// Subscribe registers f and returns a function that unregisters it.
func (b *Bus) Subscribe(f func(Message)) func() {
	b.mu.Lock()
	id := b.next
	b.next++
	b.subs[id] = f
	b.mu.Unlock()
	return func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
	}
}
