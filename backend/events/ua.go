package events

import "strings"

// ParseUserAgent derives a coarse device description from a User-Agent string: the device
// type (desktop, mobile, tablet, bot), operating system, browser and, for phones and
// tablets, the brand. It covers the families marketers filter on; unknown parts stay "".
func ParseUserAgent(ua string) Device {
	if strings.TrimSpace(ua) == "" {
		return Device{}
	}
	l := strings.ToLower(ua)
	var d Device
	switch {
	case containsAny(l, "bot", "crawler", "spider", "slurp", "headless"):
		d.Type = "bot"
	case containsAny(l, "ipad", "tablet") || (strings.Contains(l, "android") && !strings.Contains(l, "mobile")):
		d.Type = "tablet"
	case containsAny(l, "mobi", "iphone", "ipod", "windows phone"):
		d.Type = "mobile"
	default:
		d.Type = "desktop"
	}
	switch {
	case containsAny(l, "windows phone"):
		d.OS = "Windows Phone"
	case strings.Contains(l, "windows"):
		d.OS = "Windows"
	case containsAny(l, "iphone", "ipad", "ipod"):
		d.OS = "iOS"
	case strings.Contains(l, "android"):
		d.OS = "Android"
	case strings.Contains(l, "cros"):
		d.OS = "Chrome OS"
	case containsAny(l, "mac os x", "macintosh"):
		d.OS = "Mac"
	case strings.Contains(l, "linux"):
		d.OS = "GNU/Linux"
	}
	switch {
	case strings.Contains(l, "edg/") || strings.Contains(l, "edge/"):
		d.Browser = "Microsoft Edge"
	case strings.Contains(l, "opr/") || strings.Contains(l, "opera"):
		d.Browser = "Opera"
	case strings.Contains(l, "samsungbrowser"):
		d.Browser = "Samsung Browser"
	case strings.Contains(l, "firefox/") || strings.Contains(l, "fxios"):
		d.Browser = "Firefox"
	case strings.Contains(l, "chrome/") || strings.Contains(l, "crios"):
		d.Browser = "Chrome"
	case strings.Contains(l, "safari/"):
		d.Browser = "Safari"
	case strings.Contains(l, "msie") || strings.Contains(l, "trident/"):
		d.Browser = "Internet Explorer"
	}
	if d.Type == "mobile" || d.Type == "tablet" {
		switch {
		case containsAny(l, "iphone", "ipad", "ipod"):
			d.Brand = "Apple"
		case containsAny(l, "samsung", "sm-", "gt-"):
			d.Brand = "Samsung"
		case containsAny(l, "pixel", "nexus"):
			d.Brand = "Google"
		case containsAny(l, "huawei"):
			d.Brand = "Huawei"
		case containsAny(l, "xiaomi", "redmi"):
			d.Brand = "Xiaomi"
		}
	}
	return d
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}
