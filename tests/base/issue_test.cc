// Tests for src/base: located issues and their rendering, UTF-8 checks.
#include "writ/issue.h"

#include "gtest/gtest.h"
#include "src/base/source.h"
#include "src/base/utf8.h"

namespace writ::internal {
namespace {

TEST(SourceFileTest, LinesAndColumns) {
  SourceFile f("p.cedar", "ab\ncd\n\nxyz");
  EXPECT_EQ(f.LineOf(0), 1u);
  EXPECT_EQ(f.LineOf(3), 2u);
  EXPECT_EQ(f.ColumnOf(4), 2u);
  EXPECT_EQ(f.LineOf(8), 4u);
  EXPECT_EQ(f.LineText(2), "cd");
  EXPECT_EQ(f.LineText(3), "");
  EXPECT_EQ(f.LineOf(1000), 4u);   // clamped
}

TEST(IssueTest, RendersLocationLineAndCaret) {
  SourceFile f("p.cedar", "permit(principal, action, resource)\nwhen { 1 + };\n");
  Issue i = f.MakeIssue({47, 48}, "unexpected token `}`", Severity::kError, "an expression is missing");
  EXPECT_EQ(RenderIssue(i),
            "p.cedar:2:12: error: unexpected token `}`\n"
            "  when { 1 + };\n"
            "             ^\n"
            "  note: an expression is missing\n");
}

TEST(IssueTest, CaretSpansTheRangeOnItsLine) {
  SourceFile f("f", "\tabc == xyz");
  Issue i = f.MakeIssue({1, 4}, "m", Severity::kWarning);
  EXPECT_EQ(RenderIssue(i), "f:1:2: warning: m\n  \tabc == xyz\n  \t^~~\n");
}

TEST(IssueTest, NoLocation) {
  Issue i;
  i.message = "cannot read";
  i.file = "x.json";
  EXPECT_EQ(RenderIssue(i), "x.json: error: cannot read\n");
  EXPECT_TRUE(HasErrors({i}));
}

TEST(Utf8Test, FindsInvalidSequences) {
  EXPECT_EQ(FindInvalidUtf8("héllo ✓ 😀"), std::nullopt);
  EXPECT_EQ(FindInvalidUtf8("ab\xff"), 2u);
  EXPECT_EQ(FindInvalidUtf8("\xc0\x80"), 0u);          // overlong NUL
  EXPECT_EQ(FindInvalidUtf8("x\xed\xa0\x80"), 1u);      // surrogate
  EXPECT_EQ(FindInvalidUtf8("\xe2\x82"), 0u);           // truncated
  std::string s;
  AppendUtf8(&s, 0x1F600);
  EXPECT_EQ(s, "😀");
}

// ASCII is skipped eight bytes at a time: a bad byte, or a valid sequence
// straddling a word, is found wherever it sits.
TEST(Utf8Test, EveryOffsetAroundTheAsciiFastPath) {
  for (std::size_t at = 0; at < 20; ++at) {
    std::string bad(24, 'a');
    bad[at] = '\xff';
    EXPECT_EQ(FindInvalidUtf8(bad), at);
    std::string good(24, 'a');
    good.replace(at, 4, "😀");
    EXPECT_EQ(FindInvalidUtf8(good), std::nullopt) << at;
    std::string truncated = std::string(at, 'a') + "\xf0\x9f\x98";
    EXPECT_EQ(FindInvalidUtf8(truncated), at);
  }
}

}  // namespace
}  // namespace writ::internal
