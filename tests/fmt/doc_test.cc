// Tests for src/fmt/doc: groups fit or break, nesting, and the comment rules
// of the renderer.
#include <algorithm>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "src/fmt/doc.h"

namespace writ::internal {
namespace {

// `[a, b, c]` as a breakable list.
Doc::Id List(Doc& d, std::initializer_list<std::string_view> items) {
  std::vector<Doc::Id> inner{d.SoftLine()};
  bool first = true;
  for (std::string_view item : items) {
    if (!first) {
      inner.push_back(d.Text(","));
      inner.push_back(d.Line());
    }
    first = false;
    inner.push_back(d.Text(item));
  }
  return d.Group(d.Concat({d.Text("["), d.Nest(2, d.Concat(inner)), d.SoftLine(), d.Text("]")}));
}

std::string Render(const Doc& d, Doc::Id root, int width) {
  std::string out;
  EXPECT_TRUE(d.Render(root, width, 1 << 20, &out));
  return out;
}

TEST(DocTest, GroupIsFlatWhenItFits) {
  Doc d;
  const Doc::Id root = List(d, {"alpha", "beta"});
  EXPECT_EQ(Render(d, root, 80), "[alpha, beta]");
  EXPECT_EQ(Render(d, root, 13), "[alpha, beta]");
  EXPECT_EQ(Render(d, root, 12), "[\n  alpha,\n  beta\n]");
}

TEST(DocTest, TextAfterTheGroupCountsTowardsFitting) {
  Doc d;
  const Doc::Id root = d.Concat({List(d, {"alpha", "beta"}), d.Text(";")});
  EXPECT_EQ(Render(d, root, 14), "[alpha, beta];");
  EXPECT_EQ(Render(d, root, 13), "[\n  alpha,\n  beta\n];");
}

TEST(DocTest, InnerGroupsFitOnTheirOwn) {
  Doc d;
  const Doc::Id root = d.Group(d.Concat({d.Text("["), d.Nest(2, d.Concat({d.SoftLine(), List(d, {"a", "b"}), d.Text(","),
                                                                         d.Line(), List(d, {"ccccccc", "ddddddd"})})),
                                         d.SoftLine(), d.Text("]")}));
  EXPECT_EQ(Render(d, root, 20), "[\n  [a, b],\n  [ccccccc, ddddddd]\n]");
}

TEST(DocTest, WidthCountsCodePoints) {
  EXPECT_EQ(TextWidth("abc"), 3);
  EXPECT_EQ(TextWidth("ünï"), 3);
  EXPECT_EQ(TextWidth("\xF0\x9F\x98\x80"), 1);
  Doc d;
  const Doc::Id root = List(d, {"\"ü\"", "\"ï\""});
  EXPECT_EQ(Render(d, root, 10), "[\"ü\", \"ï\"]");
}

TEST(DocTest, TrailingCommentEndsTheLineAndBreaksItsGroup) {
  Doc d;
  std::vector<Doc::Id> inner{d.SoftLine(), d.Text("a"), d.Text(","), d.TrailingComment("// first"), d.Line(),
                             d.Text("b")};
  const Doc::Id root =
      d.Group(d.Concat({d.Text("["), d.Nest(2, d.Concat(inner)), d.SoftLine(), d.Text("]")}));
  EXPECT_EQ(Render(d, root, 80), "[\n  a, // first\n  b\n]");
}

TEST(DocTest, TrailingCommentAtTheEndOfAGroupDoesNotBreakIt) {
  Doc d;
  const Doc::Id inner = d.Group(d.Concat({d.Text("a"), d.Line(), d.Text("b"), d.TrailingComment("// c")}));
  const Doc::Id root = d.Concat({inner, d.HardLine(), d.Text("next")});
  EXPECT_EQ(Render(d, root, 80), "a b // c\nnext");
}

TEST(DocTest, TextAfterATrailingCommentStartsANewLine) {
  Doc d;
  const Doc::Id root = d.Concat({d.Text("a"), d.TrailingComment("// c"), d.Space(), d.Text("b")});
  EXPECT_EQ(Render(d, root, 80), "a // c\nb");
}

TEST(DocTest, LeadingCommentGetsItsOwnLine) {
  Doc d;
  const Doc::Id root =
      d.Concat({d.Text("x"), d.Space(), d.Text("=="), d.Space(), d.LeadingComment("// why", false), d.Text("y")});
  EXPECT_EQ(Render(d, root, 80), "x ==\n// why\ny");
}

TEST(DocTest, LeadingCommentInsideAGroupBreaksIt) {
  Doc d;
  std::vector<Doc::Id> inner{d.SoftLine(), d.Text("a"), d.Text(","), d.Line(), d.LeadingComment("// b", false),
                             d.Text("b")};
  const Doc::Id root = d.Group(d.Concat({d.Text("["), d.Nest(2, d.Concat(inner)), d.SoftLine(), d.Text("]")}));
  EXPECT_EQ(Render(d, root, 80), "[\n  a,\n  // b\n  b\n]");
}

TEST(DocTest, LeadingCommentBeforeAGroupLeavesItFlat) {
  Doc d;
  const Doc::Id group = d.Group(d.Concat({d.LeadingComment("// about", false), d.Text("a"), d.Line(), d.Text("b")}));
  const Doc::Id root = d.Concat({d.Text("{"), d.Nest(2, d.Concat({d.HardLine(), group})), d.HardLine(), d.Text("}")});
  EXPECT_EQ(Render(d, root, 80), "{\n  // about\n  a b\n}");
}

TEST(DocTest, BlankLinesBetweenLeadingComments) {
  Doc d;
  const Doc::Id root = d.Concat({d.LeadingComment("// one", true), d.LeadingComment("// two", true),
                                 d.LeadingComment("// three", false), d.BlankLine(), d.Text("x")});
  EXPECT_EQ(Render(d, root, 80), "// one\n\n// two\n// three\n\nx");
}

TEST(DocTest, NoTrailingWhitespace) {
  Doc d;
  const Doc::Id root = d.Concat({d.Text("a"), d.Space(), d.HardLine(), d.Text("b"), d.Line(), d.HardLine(), d.Text("c")});
  EXPECT_EQ(Render(d, root, 80), "a\nb\nc");
}

TEST(DocTest, RenderStopsAtTheSizeLimit) {
  Doc d;
  std::vector<Doc::Id> parts;
  for (int i = 0; i < 100; ++i) parts.push_back(d.Text("0123456789"));
  const Doc::Id root = d.Concat(parts);
  std::string out;
  EXPECT_FALSE(d.Render(root, 80, 500, &out));
  EXPECT_LE(out.size(), 510u);
  out.clear();
  EXPECT_TRUE(d.Render(root, 80, 1000, &out));
  EXPECT_EQ(out.size(), 1000u);
}

TEST(DocTest, DeepNestingRendersWithoutRecursion) {
  Doc d;
  Doc::Id e = d.Text("x");
  for (int i = 0; i < 20000; ++i) e = d.Group(d.Concat({d.Text("("), d.SoftLine(), e, d.Text(")")}));
  std::string out;
  EXPECT_TRUE(d.Render(e, 80, 1 << 30, &out));
  EXPECT_EQ(out.size() - std::count(out.begin(), out.end(), ' ') - std::count(out.begin(), out.end(), '\n'),
            40001u);
}

}  // namespace
}  // namespace writ::internal
