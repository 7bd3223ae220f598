package discourse

import (
	"strings"
	"unicode/utf8"
)

// emojiChars maps the most used Discourse emoji names to their characters.
// Names outside this list stay as ":name:" text: custom emoji and rare
// names cannot be derived reliably from the image alone.
var emojiChars = map[string]string{
	// faces
	"grinning": "😀", "smiley": "😃", "smile": "😄", "grin": "😁", "laughing": "😆",
	"satisfied": "😆", "sweat_smile": "😅", "joy": "😂", "rofl": "🤣", "relaxed": "☺️",
	"blush": "😊", "innocent": "😇", "slight_smile": "🙂", "slightly_smiling_face": "🙂",
	"upside_down_face": "🙃", "wink": "😉", "relieved": "😌", "heart_eyes": "😍",
	"kissing_heart": "😘", "kissing": "😗", "yum": "😋", "stuck_out_tongue": "😛",
	"stuck_out_tongue_winking_eye": "😜", "stuck_out_tongue_closed_eyes": "😝",
	"money_mouth_face": "🤑", "hugs": "🤗", "hugging_face": "🤗", "nerd_face": "🤓",
	"sunglasses": "😎", "clown_face": "🤡", "cowboy_hat_face": "🤠", "smirk": "😏",
	"unamused": "😒", "disappointed": "😞", "pensive": "😔", "worried": "😟",
	"confused": "😕", "slight_frown": "🙁", "slightly_frowning_face": "🙁",
	"frowning_face": "☹️", "persevere": "😣", "confounded": "😖", "tired_face": "😫",
	"weary": "😩", "triumph": "😤", "angry": "😠", "rage": "😡", "no_mouth": "😶",
	"neutral_face": "😐", "expressionless": "😑", "hushed": "😯", "frowning": "😦",
	"anguished": "😧", "open_mouth": "😮", "astonished": "😲", "dizzy_face": "😵",
	"flushed": "😳", "scream": "😱", "fearful": "😨", "cold_sweat": "😰", "cry": "😢",
	"disappointed_relieved": "😥", "drooling_face": "🤤", "sob": "😭", "sweat": "😓",
	"sleepy": "😪", "sleeping": "😴", "roll_eyes": "🙄", "face_with_rolling_eyes": "🙄",
	"thinking": "🤔", "lying_face": "🤥", "grimacing": "😬", "zipper_mouth_face": "🤐",
	"nauseated_face": "🤢", "sneezing_face": "🤧", "mask": "😷", "smiling_imp": "😈",
	"imp": "👿", "poop": "💩", "hankey": "💩", "ghost": "👻", "skull": "💀", "robot": "🤖",
	"see_no_evil": "🙈", "star_struck": "🤩", "zany_face": "🤪", "crazy_face": "🤪",
	"face_with_monocle": "🧐", "exploding_head": "🤯", "partying_face": "🥳",
	"smiling_face_with_three_hearts": "🥰", "face_with_hand_over_mouth": "🤭",
	"shushing_face": "🤫",
	// people and hands
	"+1": "👍", "thumbsup": "👍", "-1": "👎", "thumbsdown": "👎", "ok_hand": "👌",
	"clap": "👏", "pray": "🙏", "wave": "👋", "raised_hands": "🙌", "muscle": "💪",
	"point_up": "☝️", "point_down": "👇", "point_left": "👈", "point_right": "👉",
	"point_up_2": "👆", "v": "✌️", "handshake": "🤝", "crossed_fingers": "🤞",
	"metal": "🤘", "raised_hand": "✋", "vulcan_salute": "🖖", "facepunch": "👊",
	"fist_oncoming": "👊", "fist": "✊", "shrug": "🤷", "man_shrugging": "🤷\u200d♂️",
	"woman_shrugging": "🤷\u200d♀️", "facepalm": "🤦", "man_facepalming": "🤦\u200d♂️",
	"woman_facepalming": "🤦\u200d♀️", "eyes": "👀",
	// hearts
	"heart": "❤️", "broken_heart": "💔", "yellow_heart": "💛", "green_heart": "💚",
	"blue_heart": "💙", "purple_heart": "💜", "black_heart": "🖤", "orange_heart": "🧡",
	"sparkling_heart": "💖", "two_hearts": "💕",
	// things and symbols
	"tada": "🎉", "rocket": "🚀", "fire": "🔥", "star": "⭐", "sparkles": "✨", "bulb": "💡",
	"warning": "⚠️", "white_check_mark": "✅", "heavy_check_mark": "✔️",
	"ballot_box_with_check": "☑️", "x": "❌", "heavy_multiplication_x": "✖️",
	"question": "❓", "grey_question": "❔", "exclamation": "❗", "heavy_exclamation_mark": "❗",
	"grey_exclamation": "❕", "100": "💯", "bug": "🐛", "beer": "🍺", "beers": "🍻",
	"coffee": "☕", "cake": "🍰", "gift": "🎁", "trophy": "🏆", "zap": "⚡", "boom": "💥",
	"bomb": "💣", "lock": "🔒", "unlock": "🔓", "key": "🔑", "wrench": "🔧", "hammer": "🔨",
	"gear": "⚙️", "memo": "📝", "pencil": "📝", "link": "🔗", "mag": "🔍", "computer": "💻",
	"sunny": "☀️", "cloud": "☁️", "snowflake": "❄️", "arrow_right": "➡️", "arrow_left": "⬅️",
	"arrow_up": "⬆️", "arrow_down": "⬇️", "heavy_plus_sign": "➕", "heavy_minus_sign": "➖",
	"information_source": "ℹ️", "no_entry": "⛔", "stop_sign": "🛑", "construction": "🚧",
	"rotating_light": "🚨", "pushpin": "📌", "paperclip": "📎", "book": "📖", "books": "📚",
	"email": "📧", "iphone": "📱", "hourglass": "⌛", "alarm_clock": "⏰", "moneybag": "💰",
	"chart_with_upwards_trend": "📈", "zzz": "💤", "speech_balloon": "💬",
	"thought_balloon": "💭", "checkered_flag": "🏁",
}

// emojiChar resolves ":name:" or ":name:tN:" (skin tone 2 to 6).
func emojiChar(code string) (string, bool) {
	code = strings.Trim(code, ":")
	name, tone, _ := strings.Cut(code, ":")
	s, ok := emojiChars[name]
	if !ok {
		return "", false
	}
	if tone == "" {
		return s, true
	}
	if len(tone) != 2 || tone[0] != 't' || tone[1] < '2' || tone[1] > '6' {
		return "", false
	}
	// The modifier follows the first character and replaces its
	// variation selector.
	r, size := utf8.DecodeRuneInString(s)
	rest := strings.TrimPrefix(s[size:], "\ufe0f")
	return string(r) + string(rune(0x1F3FB+int(tone[1]-'2'))) + rest, true
}
