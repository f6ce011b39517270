package g711

// The reference arithmetic the tables are filled from, for the tests.
var (
	UlawCompress = ulawCompress
	AlawCompress = alawCompress
	UlawExpand   = ulawExpand
	AlawExpand   = alawExpand
)
